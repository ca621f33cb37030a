namespace Gateway.Metering.Alerts;

/// <summary>A tenant's webhook endpoint and the rules that send to it; a null rule is off. Amounts in micro-USD.</summary>
internal sealed record TenantAlerts(
    string TenantId,
    string WebhookUrl,
    string Secret,
    long? LowBalanceMicros,
    SpendSpikeRule? SpendSpike,
    AutoTopUpRule? AutoTopUp,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The rules set, by <see cref="AlertKind"/>.</summary>
    public IEnumerable<string> Kinds()
    {
        if (LowBalanceMicros is not null)
        {
            yield return AlertKind.LowBalance;
        }

        if (SpendSpike is not null)
        {
            yield return AlertKind.SpendSpike;
        }

        if (AutoTopUp is not null)
        {
            yield return AlertKind.AutoTopUp;
        }
    }

    /// <summary>The secret as the admin API shows it: its last four characters only.</summary>
    public string MaskedSecret => "****" + Secret[^Math.Min(4, Secret.Length)..];
}
