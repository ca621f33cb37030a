using System.ComponentModel.DataAnnotations;

namespace Gateway.Admission;

/// <summary>Wallet and quota checks before forwarding. Bound from <c>Admission</c>.</summary>
internal sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Off: no wallet, price or quota check and no Redis on the request path (a bare metering proxy, for
    /// comparison benchmarks). Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When Redis cannot be reached, forward anyway and record the event as <c>admission: bypassed</c>
    /// instead of answering 503. Default off.</summary>
    public bool FailOpen { get; set; }

    /// <summary>Tenants that fail open even when the gateway does not.</summary>
    public string[] FailOpenTenants { get; set; } = [];

    /// <summary>Forward models with no price at cost 0 instead of refusing them (400 model_not_priced). Default off.</summary>
    public bool AllowUnpricedModels { get; set; }

    /// <summary>Output tokens a hold assumes when the request sets no max_tokens. Default 4,096.</summary>
    [Range(1, 10_000_000)]
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>Per-model override of <see cref="DefaultMaxOutputTokens"/> (model name → tokens).</summary>
    public Dictionary<string, int> MaxOutputTokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a hold lives if its request never settles (its gateway died). Must outlast the longest
    /// request; an expired hold is released, not charged, and a late settle still charges. Default 30 min.</summary>
    public TimeSpan HoldTtl { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often every gateway looks for expired holds to settle as abandoned. Default 5 s.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often every gateway reconciles every tenant's live balance with the ledger and logs any drift.
    /// Default 5 min.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most events that may wait in a tenant's event stream (Postgres down or slow) before new metered
    /// requests of that stream's tenants get 503 <c>metering_backlog</c> rather than risk losing events; -1 = never.
    /// Default 1,000,000 (about 1 GB of Redis memory at ~1 KB an event).</summary>
    [Range(-1, long.MaxValue)]
    public long MaxEventBacklog { get; set; } = 1_000_000;

    /// <summary>The input estimate of a hold is multiplied by this, since a provider may count more tokens than our
    /// tokenizer (images, other encodings). Default 1.10.</summary>
    [Range(1.0, 10.0)]
    public double InputEstimateMargin { get; set; } = 1.10;
}
