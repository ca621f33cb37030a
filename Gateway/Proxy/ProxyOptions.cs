using System.ComponentModel.DataAnnotations;

namespace Gateway.Proxy;

/// <summary>Limits of the proxied routes. Bound from <c>Proxy</c>.</summary>
internal sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Largest request body accepted; larger ones get 413. Default 10 MB.</summary>
    [Range(1024, 1L << 32)]
    public long MaxRequestBodySize { get; set; } = 10 * 1024 * 1024;

    /// <summary>Longest wait for the upstream's response headers (not the whole answer). Default 10 min.</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When a client leaves mid-answer: <c>cancel</c> the upstream and bill the text delivered (estimated),
    /// or <c>drain</c> it (up to <see cref="DrainLimit"/>) and bill the provider's final usage. Default cancel.</summary>
    public string ClientDisconnect { get; set; } = "cancel";

    /// <summary>Per-tenant override of <see cref="ClientDisconnect"/> (tenant id → cancel or drain).</summary>
    public Dictionary<string, string> ClientDisconnectTenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Longest a drained upstream is read after its client left. Default 60 s.</summary>
    public TimeSpan DrainLimit { get; set; } = TimeSpan.FromSeconds(60);

    public bool Drains(string tenantId)
        => (ClientDisconnectTenants.TryGetValue(tenantId, out var policy) ? policy : ClientDisconnect) == "drain";
}
