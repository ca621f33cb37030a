namespace Gateway.Metering.Wallets;

/// <summary>One tenant's live balance against its ledger. <see cref="DriftMicros"/> must be zero.</summary>
internal sealed record Reconciliation(
    string TenantId,
    long RedisBalanceMicros,
    long HeldMicros,
    long LedgerBalanceMicros,
    long UnflushedCostMicros,
    int UnflushedEvents)
{
    /// <summary>Live balance − (credits − Σ costs in Postgres − Σ costs settled in Redis but not yet in Postgres).</summary>
    public long DriftMicros => RedisBalanceMicros - (LedgerBalanceMicros - UnflushedCostMicros);
}
