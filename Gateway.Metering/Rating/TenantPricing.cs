namespace Gateway.Metering.Rating;

/// <summary>A tenant's plan and its markup (basis points; negative: a discount) from <see cref="EffectiveFrom"/> on.</summary>
internal sealed record TenantPricing(string TenantId, string? PlanId, int MarkupBp, DateTimeOffset EffectiveFrom)
{
    public static TenantPricing None(string tenantId) => new(tenantId, null, 0, DateTimeOffset.MinValue);
}
