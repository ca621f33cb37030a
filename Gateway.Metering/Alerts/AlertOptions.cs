namespace Gateway.Metering.Alerts;

/// <summary>Alert detection and webhook delivery. Bound from <c>Alerts</c>; checked by <see cref="AlertOptionsValidator"/>.</summary>
internal sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>Off: this gateway neither detects crossings nor delivers webhooks (others still may). Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the live wallets of tenants with balance rules are read, and the outbox is polled for
    /// webhooks due. A crossing is seen within this much. Default 1 s.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the tokens of the last minute are compared with the trailing average, for tenants with a
    /// spend-spike rule (one Postgres query per such tenant). Default 10 s.</summary>
    public TimeSpan SpikeCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for a receiver's answer; no answer in time is a failed attempt. Default 10 s.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait after the first failed attempt; doubles after each failure up to <see cref="MaxRetryDelay"/>.
    /// Default 10 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait between two attempts. Default 1 h.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a webhook is given up as <c>failed</c>. Default 12 (about 3.5 h with the defaults).</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Wait before attempt <paramref name="failures"/> + 1, after that many failures.</summary>
    public TimeSpan BackoffAfter(int failures)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(RetryDelay.Ticks * factor, MaxRetryDelay.Ticks));
        return delay;
    }
}
