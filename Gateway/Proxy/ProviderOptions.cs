namespace Gateway.Proxy;

/// <summary>One upstream, bound from <c>Providers:&lt;name&gt;</c>.</summary>
internal sealed class ProviderOptions
{
    /// <summary><c>openai</c> (any OpenAI-compatible API), <c>simulated</c> (the built-in provider), <c>anthropic</c>
    /// (Messages API), <c>gemini</c> (generateContent) or <c>azure</c> (Azure OpenAI deployments).</summary>
    public string? Kind { get; set; }

    /// <summary>The API root exactly as the provider's official SDK takes it, e.g. <c>https://api.openai.com/v1</c>.
    /// For <c>simulated</c>, empty means the simulator inside this gateway.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The provider's key, sent upstream in place of the client's virtual key. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Whether the server accepts <c>stream_options</c> (OpenAI-compatible kinds). When false the gateway does
    /// not add <c>include_usage</c>, and a stream without usage is estimated. Default true.</summary>
    public bool StreamOptions { get; set; } = true;

    /// <summary>The provider tried next when this one answers 429 or 5xx, or times out, before anything reached the
    /// client (a chain: that provider may name its own). Empty: no fallback.</summary>
    public string? FallbackTo { get; set; }

    /// <summary>Model-name patterns (<c>*</c> wildcard) this provider serves, e.g. <c>["gpt-4o*", "o3*"]</c>. A request
    /// goes to the first provider of its API whose pattern matches its model; empty matches nothing by name.</summary>
    public string[] Models { get; set; } = [];
}
