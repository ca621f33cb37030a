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

    /// <summary>Longest a client may take to send its request headers; past it the connection is closed (slowloris).
    /// Kestrel's <c>RequestHeadersTimeout</c>. Default 10 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Slowest request body accepted, in bytes per second averaged after
    /// <see cref="MinRequestBodyDataRateGracePeriod"/>; a slower client gets 408 and its connection closed. Kestrel's
    /// <c>MinRequestBodyDataRate</c>. Default 240 (Kestrel's); 0 turns the check off.</summary>
    [Range(0, 1e9)]
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>How long a request body may go below <see cref="MinRequestBodyDataRate"/> at first. More than 1 s
    /// (Kestrel's heartbeat). Default 5 s.</summary>
    public TimeSpan MinRequestBodyDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs request code on Kestrel's socket threads instead of handing each step to the thread pool
    /// (Kestrel's <c>UnsafePreferInlineScheduling</c>); pair it with the environment variable
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, read by the runtime at start. Fewer context switches:
    /// on one core, c=1 p50 −25…−45 µs and −10% CPU a request (docs/benchmarks.md). The price: while one request
    /// counts a large prompt's tokens, the connections sharing its socket thread wait. Default off.</summary>
    public bool InlineIoScheduling { get; set; }

    /// <summary>Connections the kernel may queue on the listening socket before the gateway accepts them (capped by
    /// net.core.somaxconn). Kestrel's own default, 512, overflows when thousands of clients connect at once: the
    /// kernel then drops their handshakes and resets some connections. Default 4096, as the bench's nginx.</summary>
    [Range(1, 65535)]
    public int ListenBacklog { get; set; } = 4096;

    /// <summary>Streamed answers one tenant may have open at once on this gateway process; one more is refused with
    /// 429 <c>concurrent_streams_exceeded</c> before admission. Counted per process (a cluster-wide count would
    /// add Redis round trips to every request): the cluster-wide cap is this times the number of gateways. 0: no
    /// cap. Default 1,000.</summary>
    [Range(0, int.MaxValue)]
    public int MaxConcurrentStreamsPerTenant { get; set; } = 1000;

    /// <summary>Provider response headers that describe the gateway's provider account (<c>openai-organization</c>,
    /// <c>openai-project</c>, <c>anthropic-organization-id</c>, the provider's rate-limit headers) and
    /// <c>set-cookie</c> are removed from answers; names listed here pass anyway. Default none.</summary>
    public string[] PassResponseHeaders { get; set; } = [];

    public bool Drains(string tenantId)
        => (ClientDisconnectTenants.TryGetValue(tenantId, out var policy) ? policy : ClientDisconnect) == "drain";
}
