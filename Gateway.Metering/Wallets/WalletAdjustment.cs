namespace Gateway.Metering.Wallets;

/// <summary>A signed ledger entry other than a credit (re-rating, credit expiry, a meter event's charge, a volume-tier
/// true-up): negative takes from the balance.</summary>
internal sealed record WalletAdjustment(long Id, string TenantId, long AmountMicros, string Kind, string Reference);
