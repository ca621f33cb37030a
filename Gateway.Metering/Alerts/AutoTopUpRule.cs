namespace Gateway.Metering.Alerts;

/// <summary>When the balance (credits − costs settled) falls below <see cref="BelowMicros"/>, ask the platform (one webhook) to charge
/// its customer <see cref="AmountMicros"/> and confirm with a credit under the webhook's idempotency key.</summary>
internal sealed record AutoTopUpRule(long BelowMicros, long AmountMicros);
