using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>
/// Which provider response headers reach the client. Removed unless listed in
/// <see cref="ProxyOptions.PassResponseHeaders"/>: cookies the provider sets, and headers that describe the gateway's
/// provider account (organization, project, the account's rate limits; the tenant's own limits are added after).
/// Always removed: any header whose value holds the provider's key.
/// </summary>
internal sealed class ResponseHeaderPolicy(IOptions<ProxyOptions> options)
{
    private static readonly string[] AccountHeaders =
    [
        "set-cookie", "set-cookie2", "openai-organization", "openai-project", "anthropic-organization-id",
    ];

    private static readonly string[] AccountPrefixes = ["x-ratelimit-", "anthropic-ratelimit-"];

    private readonly HashSet<string> _passed = new(options.Value.PassResponseHeaders, StringComparer.OrdinalIgnoreCase);

    public void Apply(IHeaderDictionary headers, string? providerKey)
    {
        List<string>? removed = null;
        foreach (var (name, values) in headers)
        {
            if ((IsAccountHeader(name) && !_passed.Contains(name))
                || (!string.IsNullOrEmpty(providerKey) && values.ToString().Contains(providerKey, StringComparison.Ordinal)))
            {
                (removed ??= []).Add(name);
            }
        }

        foreach (var name in removed ?? [])
        {
            headers.Remove(name);
        }
    }

    private static bool IsAccountHeader(string name)
    {
        foreach (var header in AccountHeaders)
        {
            if (name.Equals(header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var prefix in AccountPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
