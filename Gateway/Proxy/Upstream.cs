namespace Gateway.Proxy;

/// <summary>The upstream a request goes to: its name (the event's <c>provider</c>), kind, API root and key, whether it
/// takes <c>stream_options</c> (some OpenAI-compatible servers refuse it), and the provider to fall back to.</summary>
internal sealed record Upstream(string Name, string Kind, string BaseUrl, string? ApiKey, bool AcceptsStreamOptions = true, string? FallbackTo = null);
