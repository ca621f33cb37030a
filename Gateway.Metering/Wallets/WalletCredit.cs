namespace Gateway.Metering.Wallets;

/// <summary>One credit grant in the ledger. Grants are used by <see cref="Priority"/> (lower first), then soonest
/// expiry; what is left of a grant at <see cref="ExpiresAt"/> expires by a ledger entry.</summary>
internal sealed record WalletCredit(long Id, string TenantId, long AmountMicros, string IdempotencyKey, DateTimeOffset? ExpiresAt, string? Note, DateTimeOffset CreatedAt, int Priority = 1);
