using Gateway.Errors;
using Gateway.Metering.Tenants;
using StackExchange.Redis;

namespace Gateway.Auth;

/// <summary>Turns the client's <c>Authorization: Bearer &lt;virtual key&gt;</c> into the key's tenant.</summary>
internal sealed class VirtualKeyAuthenticator(KeyCache cache)
{
    public async ValueTask<(KeyIdentity? Identity, GatewayError? Error)> AuthenticateAsync(HttpRequest request)
    {
        var presented = Presented(request);
        if (presented.IsEmpty)
        {
            return (null, GatewayError.MissingKey());
        }

        var hash = ApiKeys.HashPresented(presented);
        if (hash is null)
        {
            return (null, GatewayError.InvalidKey());
        }

        try
        {
            var identity = await cache.FindAsync(hash);
            return identity is null ? (null, GatewayError.InvalidKey()) : (identity, null);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return (null, GatewayError.MeteringUnavailable());
        }
    }

    private static ReadOnlySpan<char> Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1)
        {
            return default;
        }

        var value = authorization[0].AsSpan().Trim();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : default;
    }
}
