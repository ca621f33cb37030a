using System.ComponentModel.DataAnnotations;

namespace Gateway.Metering.Export;

/// <summary>The exporter to a billing system; off unless <see cref="Target"/> is set. Bound from <c>Export</c>.</summary>
internal sealed class ExportOptions
{
    public const string Section = "Export";

    /// <summary><c>none</c> (default), <c>stripe</c>, <c>lago</c> or <c>openmeter</c>.</summary>
    public ExportTarget Target { get; set; } = ExportTarget.None;

    /// <summary>Base URL of the target's API. Default per target: <c>https://api.stripe.com</c>,
    /// <c>https://api.getlago.com</c>, <c>https://openmeter.cloud</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Sent as <c>Authorization: Bearer</c>; required for Stripe and Lago. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Events read and sent per round. Default 100 (Lago takes at most 100 per call; larger batches are split).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Pause between rounds once every committed event is sent. Default 10 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events are exported only once they were written at least this long ago (and no write that started
    /// earlier is still open), so a batch still being committed is never passed by the cursor. Default 1 min.</summary>
    public TimeSpan Lag { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait for one HTTP call; a timeout is retried. Default 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait after a failed round (5xx, 429, timeout, unreachable); doubles up to
    /// <see cref="MaxRetryDelay"/>, and a longer <c>Retry-After</c> wins. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between retries. Default 5 min.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Name of the persisted cursor; default the target's name. Two exporters of the same target (two Stripe
    /// accounts) need different names.</summary>
    public string? Cursor { get; set; }

    /// <summary>Where a new cursor starts (events written before are not exported); default: the first event stored.
    /// Stripe refuses events older than 35 days.</summary>
    public DateTimeOffset? StartAt { get; set; }

    /// <summary>Only these tenants' events are exported; empty (default): every tenant.</summary>
    public string[] Tenants { get; set; } = [];

    /// <summary>Tenant id → the target's customer (Stripe customer id <c>cus_…</c>, Lago external subscription or
    /// customer id, OpenMeter subject). A tenant without an entry is sent as its own id.</summary>
    public Dictionary<string, string> Customers { get; set; } = new(StringComparer.Ordinal);

    public StripeExportOptions Stripe { get; set; } = new();

    public LagoExportOptions Lago { get; set; } = new();

    public OpenMeterExportOptions OpenMeter { get; set; } = new();

    public string CursorName => string.IsNullOrWhiteSpace(Cursor) ? Target.ToString().ToLowerInvariant() : Cursor;

    public string CustomerOf(string tenant) => Customers.TryGetValue(tenant, out var customer) ? customer : tenant;

    public Uri BaseUri() => new((Endpoint is { Length: > 0 } endpoint ? endpoint : Target switch
    {
        ExportTarget.Stripe => "https://api.stripe.com",
        ExportTarget.Lago => "https://api.getlago.com",
        _ => "https://openmeter.cloud",
    }).TrimEnd('/') + "/");
}
