namespace Gateway.Proxy;

/// <summary>One upstream, bound from <c>Providers:&lt;name&gt;</c>.</summary>
internal sealed class ProviderOptions
{
    /// <summary><c>openai</c> (any OpenAI-compatible API) or <c>simulated</c> (the built-in provider).</summary>
    public string? Kind { get; set; }

    /// <summary>The API root exactly as the provider's official SDK takes it, e.g. <c>https://api.openai.com/v1</c>.
    /// For <c>simulated</c>, empty means the simulator inside this gateway.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The provider's key, sent upstream in place of the client's virtual key. Never logged.</summary>
    public string? ApiKey { get; set; }
}
