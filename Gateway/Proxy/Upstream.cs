namespace Gateway.Proxy;

/// <summary>The upstream a request goes to: its name (the event's <c>provider</c>), kind, API root and key, whether it
/// takes <c>stream_options</c> (some OpenAI-compatible servers refuse it), and the provider to fall back to.</summary>
internal sealed record Upstream(string Name, string Kind, string BaseUrl, string? ApiKey, bool AcceptsStreamOptions = true, string? FallbackTo = null)
{
    /// <summary>Without the key: a record prints every member, and an upstream may end up in a log message.</summary>
    public override string ToString() => $"Upstream {{ Name = {Name}, Kind = {Kind}, BaseUrl = {BaseUrl} }}";
}
