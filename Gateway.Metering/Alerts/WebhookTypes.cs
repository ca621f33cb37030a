namespace Gateway.Metering.Alerts;

/// <summary>The <c>type</c> of each webhook the gateway sends.</summary>
internal static class WebhookTypes
{
    public const string LowBalance = "wallet.low_balance";
    public const string SpendSpike = "usage.spend_spike";
    public const string TopUpRequested = "wallet.top_up_requested";
}
