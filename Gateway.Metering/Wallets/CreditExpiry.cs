using Dapper;
using Npgsql;

namespace Gateway.Metering.Wallets;

/// <summary>
/// Expires what is left of credit grants past their <c>expires_at</c>: one ledger entry per grant (kind
/// <c>credit_expiry</c>, reference the grant id, the negative remainder, 0 when it was used up), applied to the live
/// wallet once. The remainder comes from <see cref="CreditAllocator"/> over the tenant's whole ledger.
/// </summary>
internal sealed class CreditExpiry(NpgsqlDataSource dataSource, WalletLedger ledger, WalletPosting posting, TimeProvider time)
{
    public const string Kind = "credit_expiry";

    /// <summary>Returns the number of grants expired now.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        IReadOnlyList<string> tenants;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            tenants = [.. await connection.QueryAsync<string>(
                """
                SELECT DISTINCT c.tenant_id FROM wallet_credits c
                WHERE c.expires_at <= @now AND NOT EXISTS (
                    SELECT 1 FROM wallet_adjustments a WHERE a.tenant_id = c.tenant_id AND a.kind = 'credit_expiry' AND a.reference = c.id::text)
                """,
                new { now, cancellationToken })];
        }

        var count = 0;
        foreach (var tenantId in tenants)
        {
            count += await ExpireTenantAsync(tenantId, now, cancellationToken);
        }

        return count;
    }

    private async Task<int> ExpireTenantAsync(string tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var credits = await ledger.CreditsAsync(tenantId, cancellationToken);
        List<CreditAllocator.Debit> debits;
        List<(long Id, long Amount, DateTime At)> refunds;
        HashSet<string> done;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var spent = await connection.QueryAsync<DebitRow>(
                """
                SELECT date_trunc('minute', occurred_at) AS at, sum(cost_micros)::bigint AS amount FROM metering_events
                WHERE tenant_id = @tenantId AND cost_micros <> 0 GROUP BY 1
                UNION ALL
                SELECT created_at, -amount_micros FROM wallet_adjustments
                WHERE tenant_id = @tenantId AND kind <> 'credit_expiry' AND amount_micros < 0
                """,
                new { tenantId, cancellationToken });
            debits = [.. spent.Select(s => new CreditAllocator.Debit(Utc(s.At), s.Amount))];
            refunds = [.. (await connection.QueryAsync<RefundRow>(
                "SELECT id, amount_micros AS amount, created_at AS at FROM wallet_adjustments WHERE tenant_id = @tenantId AND kind <> 'credit_expiry' AND amount_micros > 0",
                new { tenantId, cancellationToken })).Select(r => (r.Id, r.Amount, r.At))];
            done = [.. await connection.QueryAsync<string>(
                "SELECT reference FROM wallet_adjustments WHERE tenant_id = @tenantId AND kind = 'credit_expiry'",
                new { tenantId, cancellationToken })];
        }

        // A refund (a re-rating that lowered costs) is credit that never expires, used last.
        var grants = credits.Select(c => new CreditAllocator.Grant(c.Id, c.AmountMicros, c.CreatedAt, c.ExpiresAt, c.Priority))
            .Concat(refunds.Select(r => new CreditAllocator.Grant(-r.Id, r.Amount, Utc(r.At), null, int.MaxValue)))
            .ToList();
        var count = 0;
        foreach (var (grantId, remainder) in CreditAllocator.Expired(grants, debits, now))
        {
            var reference = grantId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (grantId > 0 && !done.Contains(reference))
            {
                await posting.AdjustAsync(tenantId, -remainder, Kind, reference, $"credit {reference} expired", cancellationToken);
                count++;
            }
        }

        return count;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    internal sealed record DebitRow(DateTime At, long Amount);

    internal sealed record RefundRow(long Id, long Amount, DateTime At);
}
