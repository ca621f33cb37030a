using Gateway.Errors;
using Gateway.Metering.Rating;
using Gateway.Metering.Tenants;

namespace Gateway.Admin;

/// <summary>
/// <c>/admin/prices</c> (everyone's) and <c>/admin/tenants/{id}/prices</c> (a tenant's contract prices): USD per
/// million tokens per model (server tool requests: USD per request), optionally tiered; each PUT is a new version,
/// effective now or at <c>effective_from</c>. Model names may hold slashes; <c>…/{model}/versions</c> lists versions.
/// </summary>
internal static class PriceEndpoints
{
    private const string VersionsSuffix = "/versions";

    public static RouteGroupBuilder MapPriceEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPut("/prices/{**model}", (string model, HttpRequest request, PriceCatalog catalog, PricingSync sync)
            => PutPrice(PriceScope.Global, model, request, catalog, sync));
        admin.MapGet("/prices", ListPrices);
        admin.MapGet("/prices/{**model}", (string model, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
            => GetPrice(PriceScope.Global, model, catalog, time, cancellationToken));
        admin.MapPut("/tenants/{id}/prices/{**model}", async (string id, string model, HttpRequest request, TenantCatalog tenants, PriceCatalog catalog, PricingSync sync) =>
            await TenantEndpoints.MissingAsync(id, tenants, request.HttpContext.RequestAborted) is { } missing
                ? missing
                : await PutPrice(PriceScope.Tenant(id), model, request, catalog, sync));
        admin.MapGet("/tenants/{id}/prices/{**model}", async (string id, string model, TenantCatalog tenants, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken) =>
            await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing
                ? missing
                : await GetPrice(PriceScope.Tenant(id), model, catalog, time, cancellationToken));
        return admin;
    }

    internal static GatewayError? CheckModel(string model)
        => string.IsNullOrWhiteSpace(model) || model.Length > 200 || model.Any(char.IsControl) || model.EndsWith(VersionsSuffix, StringComparison.Ordinal)
            ? GatewayError.InvalidRequest("The model name must be 1 to 200 printable characters, not ending in /versions.", "model")
            : null;

    private static async Task<IResult> PutPrice(string scope, string model, HttpRequest request, PriceCatalog catalog, PricingSync sync)
    {
        if (CheckModel(model) is { } invalid)
        {
            return invalid.ToResult();
        }

        var (body, error) = await AdminRequest.ReadAsync(request, AdminJsonContext.Default.PriceRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (PriceRequestParser.TryParse(model, scope, body!, out var price) is { } wrong)
        {
            return wrong.ToResult();
        }

        var cancellationToken = request.HttpContext.RequestAborted;
        var stored = await catalog.PutAsync(price!, body!.EffectiveFrom, cancellationToken);
        await sync.PriceChangedAsync(scope, model, cancellationToken);
        return AdminRequest.Json(PriceRequestParser.ToResponse(stored), AdminJsonContext.Default.PriceResponse);
    }

    /// <summary>Everyone's price of each model as it applies now.</summary>
    private static async Task<IResult> ListPrices(PriceCatalog catalog, CancellationToken cancellationToken)
    {
        var prices = await catalog.CurrentAsync(cancellationToken);
        return AdminRequest.Json(new PriceList([.. prices.OrderBy(p => p.Model, StringComparer.Ordinal).Select(PriceRequestParser.ToResponse)]), AdminJsonContext.Default.PriceList);
    }

    /// <summary><c>{model}</c>: the version that applies now; <c>{model}/versions</c>: every version, oldest first.</summary>
    private static async Task<IResult> GetPrice(string scope, string path, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var listVersions = path.EndsWith(VersionsSuffix, StringComparison.Ordinal);
        var model = listVersions ? path[..^VersionsSuffix.Length] : path;
        var versions = await catalog.VersionsAsync(scope, model, cancellationToken);
        if (listVersions && versions.Count > 0)
        {
            return AdminRequest.Json(new PriceList([.. versions.Select(PriceRequestParser.ToResponse)]), AdminJsonContext.Default.PriceList);
        }

        var now = time.GetUtcNow();
        var current = versions.Where(v => v.EffectiveFrom <= now).OrderBy(v => v.EffectiveFrom).ThenBy(v => v.Version).LastOrDefault();
        return current is null
            ? GatewayError.NotFound(versions.Count == 0 ? $"No price for '{model}'." : $"No price in effect for '{model}' yet.").ToResult()
            : AdminRequest.Json(PriceRequestParser.ToResponse(current), AdminJsonContext.Default.PriceResponse);
    }
}
