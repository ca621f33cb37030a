namespace Gateway.Metering.Wallets;

/// <summary>
/// Writes a ledger entry to Postgres first (idempotent), then applies it to the live wallet exactly once: the Redis
/// script remembers which entries it applied, so a repeat, or a rebuild racing it, never applies twice.
/// </summary>
internal sealed class WalletPosting(WalletLedger ledger, WalletStore wallets, WalletRebuilder rebuilder)
{
    public async Task<(WalletCredit Credit, bool Created)> CreditAsync(string tenantId, long micros, string idempotencyKey, DateTimeOffset? expiresAt, string? note, int priority, CancellationToken cancellationToken)
    {
        var (credit, created) = await ledger.AddCreditAsync(tenantId, micros, idempotencyKey, expiresAt, note, cancellationToken, priority);
        await ApplyAsync(tenantId, () => wallets.CreditAsync(tenantId, credit.Id, credit.AmountMicros), cancellationToken);
        return (credit, created);
    }

    public async Task<WalletAdjustment> AdjustAsync(string tenantId, long micros, string kind, string reference, string? note, CancellationToken cancellationToken)
    {
        var (adjustment, _) = await ledger.AddAdjustmentAsync(tenantId, micros, kind, reference, note, cancellationToken);
        await ApplyAsync(adjustment, cancellationToken);
        return adjustment;
    }

    /// <summary>Applies an entry already in the ledger (written in the caller's transaction).</summary>
    public Task ApplyAsync(WalletAdjustment adjustment, CancellationToken cancellationToken)
        => ApplyAsync(adjustment.TenantId, () => wallets.AdjustAsync(adjustment.TenantId, adjustment.Id, adjustment.AmountMicros), cancellationToken);

    private async Task ApplyAsync(string tenantId, Func<Task<int>> apply, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var applied = await apply();
            if (applied >= 0)
            {
                return;
            }

            if (applied == -2)
            {
                throw new InvalidOperationException($"Tenant {tenantId}'s balance would overflow; the entry is in the ledger, not in the live wallet.");
            }

            // No live wallet yet: it is built from the ledger, this entry included.
            await rebuilder.EnsureAsync(tenantId, cancellationToken);
        }
    }
}
