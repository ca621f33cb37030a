using Gateway.Errors;
using Gateway.Metering.Tenants;
using StackExchange.Redis;

namespace Gateway.Auth;

/// <summary>
/// Turns the client's virtual key into the key's tenant. The key comes the way each SDK sends it:
/// <c>Authorization: Bearer</c> (OpenAI), <c>x-api-key</c> (Anthropic), <c>x-goog-api-key</c> or <c>?key=</c> (Gemini),
/// <c>api-key</c> (Azure OpenAI).
/// </summary>
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
        if (authorization.Count == 1)
        {
            var value = authorization[0].AsSpan().Trim();
            return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : default;
        }

        foreach (var header in (ReadOnlySpan<string>)["x-api-key", "x-goog-api-key", "api-key"])
        {
            if (request.Headers[header] is { Count: 1 } values)
            {
                return values[0].AsSpan().Trim();
            }
        }

        return request.Query["key"] is { Count: 1 } key ? key[0].AsSpan().Trim() : default;
    }
}
