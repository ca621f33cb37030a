using System.Text.RegularExpressions;
using Gateway.Auth;
using Gateway.Errors;
using Gateway.Metering.Tenants;

namespace Gateway.Admin;

/// <summary><c>/admin/tenants</c> and <c>/admin/keys</c>: tenants and their virtual keys.</summary>
internal static partial class TenantEndpoints
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    internal static partial Regex TenantId();

    /// <summary>Null when the tenant exists, else its 404 (a malformed id cannot exist).</summary>
    internal static async Task<IResult?> MissingAsync(string id, TenantCatalog tenants, CancellationToken cancellationToken)
        => TenantId().IsMatch(id) && await tenants.FindAsync(id, cancellationToken) is not null
            ? null
            : GatewayError.NotFound($"No tenant '{id}'.").ToResult();

    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPost("/tenants", CreateTenant);
        admin.MapGet("/tenants/{id}", GetTenant);
        admin.MapPost("/tenants/{id}/keys", CreateKey);
        admin.MapDelete("/keys/{id}", RevokeKey);
        return admin;
    }

    private static async Task<IResult> CreateTenant(HttpRequest request, TenantCatalog tenants, Metering.Wallets.WalletRebuilder rebuilder)
    {
        var (body, error) = await AdminRequest.ReadAsync(request, AdminJsonContext.Default.CreateTenantRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (body!.Id is null || !TenantId().IsMatch(body.Id))
        {
            return GatewayError.InvalidRequest("Tenant id must match [a-z0-9][a-z0-9_-]{0,63}.", "id").ToResult();
        }

        var name = string.IsNullOrWhiteSpace(body.Name) ? body.Id : body.Name.Trim();
        if (name.Length > 200)
        {
            return GatewayError.InvalidRequest("Tenant name must be at most 200 characters.", "name").ToResult();
        }

        var (created, tenant) = await tenants.CreateAsync(body.Id, name, request.HttpContext.RequestAborted);
        if (created)
        {
            await rebuilder.EnsureAsync(tenant.Id, request.HttpContext.RequestAborted); // an empty live wallet, ready for credits
        }

        return created
            ? AdminRequest.Json(ToResponse(tenant), AdminJsonContext.Default.TenantResponse, StatusCodes.Status201Created)
            : GatewayError.Conflict($"Tenant '{body.Id}' already exists.").ToResult();
    }

    private static async Task<IResult> GetTenant(string id, TenantCatalog tenants, CancellationToken cancellationToken)
    {
        var tenant = TenantId().IsMatch(id) ? await tenants.FindAsync(id, cancellationToken) : null;
        return tenant is null
            ? GatewayError.NotFound($"No tenant '{id}'.").ToResult()
            : AdminRequest.Json(ToResponse(tenant), AdminJsonContext.Default.TenantResponse);
    }

    private static async Task<IResult> CreateKey(string id, HttpRequest request, TenantCatalog tenants, KeyStore keys)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        CreateKeyRequest? body = new(null);
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            GatewayError? error;
            (body, error) = await AdminRequest.ReadAsync(request, AdminJsonContext.Default.CreateKeyRequest);
            if (error is not null)
            {
                return error.ToResult();
            }
        }

        var tenant = TenantId().IsMatch(id) ? await tenants.FindAsync(id, cancellationToken) : null;
        if (tenant is null)
        {
            return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
        }

        var name = string.IsNullOrWhiteSpace(body!.Name) ? "default" : body.Name.Trim();
        if (name.Length > 200)
        {
            return GatewayError.InvalidRequest("Key name must be at most 200 characters.", "name").ToResult();
        }

        var key = ApiKeys.NewKey();
        var keyId = ApiKeys.NewKeyId();
        var hash = ApiKeys.Hash(key);
        var prefix = ApiKeys.DisplayPrefix(key);
        var createdAt = await tenants.AddKeyAsync(tenant.Id, keyId, name, prefix, hash, cancellationToken);
        await keys.PutAsync(Convert.ToHexStringLower(hash), new KeyIdentity(tenant.Id, keyId));
        return AdminRequest.Json(
            new CreatedKeyResponse(keyId, key, name, tenant.Id, prefix, createdAt),
            AdminJsonContext.Default.CreatedKeyResponse,
            StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeKey(string id, TenantCatalog tenants, KeyStore keys, KeyCache cache, CancellationToken cancellationToken)
    {
        var hash = id.Length <= 64 ? await tenants.RevokeKeyAsync(id, cancellationToken) : null;
        if (hash is null)
        {
            return GatewayError.NotFound($"No live key '{id}'.").ToResult();
        }

        var hex = Convert.ToHexStringLower(hash);
        await keys.RevokeAsync(hex);
        cache.Forget(hex);
        return Results.NoContent();
    }

    private static TenantResponse ToResponse(Tenant tenant) => new(tenant.Id, tenant.Name, tenant.Status, tenant.CreatedAt);
}
