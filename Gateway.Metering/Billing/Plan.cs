namespace Gateway.Metering.Billing;

/// <summary>A subscription: a monthly fee, usage credits included each month, and (as prices of scope "plan:id") its
/// price overrides.</summary>
internal sealed record Plan(string Id, long MonthlyFeeMicros, long IncludedCreditsMicros, DateTimeOffset UpdatedAt);
