namespace Gateway.Proxy;

/// <summary>All configured upstreams by name, bound from <c>Providers</c>.</summary>
internal sealed class ProvidersOptions : Dictionary<string, ProviderOptions>
{
    public const string Section = "Providers";

    public ProvidersOptions()
        : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}
