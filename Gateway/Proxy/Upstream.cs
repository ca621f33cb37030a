namespace Gateway.Proxy;

/// <summary>The upstream a request goes to: its name (the event's <c>provider</c>), API root and key.</summary>
internal sealed record Upstream(string Name, string BaseUrl, string? ApiKey);
