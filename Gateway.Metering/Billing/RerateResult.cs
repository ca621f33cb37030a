namespace Gateway.Metering.Billing;

/// <summary>What a re-rating changed: per tenant, the events whose cost changed and the sum of the differences (the
/// ledger adjustment is its negative).</summary>
internal sealed record RerateResult(long Id, int EventsRated, int EventsChanged, long DifferenceMicros, IReadOnlyList<TenantRerate> Tenants, IReadOnlyList<string> SkippedClosed);

internal sealed record TenantRerate(string TenantId, int EventsChanged, long OldCostMicros, long NewCostMicros, long? AdjustmentId)
{
    public long DifferenceMicros => NewCostMicros - OldCostMicros;
}
