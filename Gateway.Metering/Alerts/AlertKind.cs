namespace Gateway.Metering.Alerts;

/// <summary>The rules a tenant can have, as stored in <c>alert_states.kind</c>.</summary>
internal static class AlertKind
{
    public const string LowBalance = "low_balance";
    public const string SpendSpike = "spend_spike";
    public const string AutoTopUp = "auto_top_up";
}
