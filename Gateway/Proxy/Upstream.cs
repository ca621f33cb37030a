namespace Gateway.Proxy;

/// <summary>The upstream a request goes to: its name (the event's <c>provider</c>), kind, API root and key.</summary>
internal sealed record Upstream(string Name, string Kind, string BaseUrl, string? ApiKey);
