namespace Gateway.Metering.Wallets;

/// <summary>One credit in the ledger.</summary>
internal sealed record WalletCredit(long Id, string TenantId, long AmountMicros, string IdempotencyKey, DateTimeOffset? ExpiresAt, string? Note, DateTimeOffset CreatedAt);
