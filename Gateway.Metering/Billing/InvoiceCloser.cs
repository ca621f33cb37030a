using Dapper;
using Gateway.Metering.Wallets;
using Npgsql;

namespace Gateway.Metering.Billing;

/// <summary>
/// Closes a period once it has ended: per tenant, re-rates the period (so tier places follow event time exactly and
/// the wallet matches), computes the invoice, posts the volume-tier true-up to the ledger, and freezes the invoice.
/// A closed invoice never changes; closing again only closes tenants not closed before. Runs under the re-rating lock.
/// </summary>
internal sealed class InvoiceCloser(NpgsqlDataSource dataSource, Rerater rerater, InvoiceBuilder builder, InvoiceStore store, WalletPosting posting, TimeProvider time)
{
    public async Task<IReadOnlyList<InvoiceDocument>> CloseAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await lockConnection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = Rerater.LockKey, cancellationToken });
        try
        {
            var closed = new List<InvoiceDocument>();
            foreach (var tenantId in await store.TenantsAsync(period, cancellationToken))
            {
                if (await store.FindAsync(tenantId, period, cancellationToken) is not null)
                {
                    continue;
                }

                await rerater.RerateLockedAsync(period.Start, period.End, tenantId, cancellationToken);
                var invoice = await builder.BuildAsync(tenantId, period, cancellationToken);
                var trueUp = invoice.Lines.Where(l => l.Type == "volume_true_up").Sum(l => l.AmountMicros);
                if (trueUp != 0)
                {
                    await posting.AdjustAsync(tenantId, -trueUp, "volume_true_up", period.Name, $"volume tiers of {period.Name}", cancellationToken);
                }

                invoice = invoice with { Status = "closed", ClosedAt = time.GetUtcNow() };
                if (await store.CloseAsync(invoice, cancellationToken))
                {
                    closed.Add(invoice);
                }
            }

            return closed;
        }
        finally
        {
            await lockConnection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = Rerater.LockKey });
        }
    }
}
