using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>Stops the start on a bad provider entry, naming the configuration key.</summary>
internal sealed class ProvidersOptionsValidator : IValidateOptions<ProvidersOptions>
{
    public static readonly string[] Kinds = ["openai", "simulated", "anthropic", "gemini", "azure"];

    public ValidateOptionsResult Validate(string? name, ProvidersOptions options)
    {
        var failures = new List<string>();
        foreach (var (provider, entry) in options)
        {
            var kind = entry.Kind ?? (provider.Equals("openai", StringComparison.OrdinalIgnoreCase) ? "openai" : null);
            if (kind is null || !Kinds.Contains(kind, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Providers:{provider}:Kind must be one of: {string.Join(", ", Kinds)} (was '{entry.Kind}').");
                continue;
            }

            if (kind is "anthropic" or "gemini" or "azure" && string.IsNullOrWhiteSpace(entry.BaseUrl))
            {
                failures.Add($"Providers:{provider}:BaseUrl is required for Kind {kind} (e.g. https://api.anthropic.com, https://generativelanguage.googleapis.com, https://my-resource.openai.azure.com).");
            }

            if (!string.IsNullOrWhiteSpace(entry.BaseUrl)
                && (!Uri.TryCreate(entry.BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            {
                failures.Add($"Providers:{provider}:BaseUrl must be an absolute http or https URL (was '{entry.BaseUrl}').");
            }
            else if (!string.IsNullOrWhiteSpace(entry.BaseUrl) && new Uri(entry.BaseUrl).UserInfo.Length > 0)
            {
                // Not echoed: it holds a credential, which belongs in ApiKey (never logged, never sent back).
                failures.Add($"Providers:{provider}:BaseUrl must not hold credentials (user:password@); put the key in Providers:{provider}:ApiKey.");
            }
        }

        foreach (var (provider, entry) in options)
        {
            if (string.IsNullOrWhiteSpace(entry.FallbackTo))
            {
                continue;
            }

            if (!options.TryGetValue(entry.FallbackTo, out var target) || string.IsNullOrWhiteSpace(target.BaseUrl))
            {
                failures.Add($"Providers:{provider}:FallbackTo names '{entry.FallbackTo}', which is not a provider with a BaseUrl.");
            }
            else if (Family(provider, entry) != Family(entry.FallbackTo, target))
            {
                failures.Add($"Providers:{provider}:FallbackTo names '{entry.FallbackTo}', a provider of another API: it could not take the same request.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Providers of one family take the same request body and path.</summary>
    private static string Family(string name, ProviderOptions entry)
        => (entry.Kind ?? (name.Equals("openai", StringComparison.OrdinalIgnoreCase) ? "openai" : string.Empty)).ToLowerInvariant() switch
        {
            "openai" or "simulated" => "openai",
            var other => other,
        };
}
