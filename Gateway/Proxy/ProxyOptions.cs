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
}
