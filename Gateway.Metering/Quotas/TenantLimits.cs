namespace Gateway.Metering.Quotas;

/// <summary>A tenant's windows and budgets; null is unlimited. Token limits count input + output (issue #3).</summary>
internal sealed record TenantLimits(long? RequestsPerMinute, long? TokensPerMinute, long? TokensPerDay, long? TokensPerMonth)
{
    public static TenantLimits Unlimited { get; } = new(null, null, null, null);
}
