using Dapper;
using Gateway.Metering.Wallets;
using Npgsql;

namespace Gateway.Metering.Meters;

/// <summary>
/// Records meter events and charges them, idempotent on (tenant, event id): in one transaction each new event is
/// stored with its cost and a ledger entry (kind <c>meter</c>) is written; after the commit every entry of the batch,
/// new or seen before, is applied to the live wallet (once: the wallet remembers applied entries), so a retry after a
/// failure between commit and apply still charges exactly once. Usage that already happened is never refused: a
/// balance may go below zero, and the next LLM request is then refused.
/// </summary>
internal sealed class MeterEventWriter(NpgsqlDataSource dataSource, WalletPosting posting, TimeProvider time)
{
    public async Task<IReadOnlyList<MeterEventOutcome>> WriteAsync(string tenantId, string keyId, IReadOnlyList<MeterEvent> events, IReadOnlyDictionary<string, Meter> meters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var outcomes = new List<MeterEventOutcome>(events.Count);
        var entries = new List<WalletAdjustment>(events.Count);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            foreach (var e in events)
            {
                var meter = meters[e.Meter];
                var cost = CostMicros(e.Quantity, meter.UnitPriceMicros);
                var inserted = await connection.ExecuteAsync(
                    """
                    INSERT INTO meter_events (tenant_id, event_id, meter, quantity, occurred_at, metadata, unit_price_micros, cost_micros, key_id, recorded_at)
                    VALUES (@tenantId, @eventId, @meter, @quantity, @occurredAt, @metadata::jsonb, @price, @cost, @keyId, @now)
                    ON CONFLICT (tenant_id, event_id) DO NOTHING
                    """,
                    new { tenantId, eventId = e.EventId, meter = e.Meter, quantity = e.Quantity, occurredAt = e.OccurredAt, metadata = e.MetadataJson, price = meter.UnitPriceMicros, cost, keyId, now, cancellationToken },
                    transaction: transaction) == 1;
                if (!inserted)
                {
                    cost = await connection.QuerySingleAsync<long>(
                        "SELECT cost_micros FROM meter_events WHERE tenant_id = @tenantId AND event_id = @eventId",
                        new { tenantId, eventId = e.EventId, cancellationToken },
                        transaction: transaction);
                }

                var (entry, _) = await WalletLedger.AddAdjustmentAsync(connection, transaction, tenantId, -cost, "meter", e.EventId, $"meter {e.Meter}", now, cancellationToken);
                entries.Add(entry);
                outcomes.Add(new MeterEventOutcome(e.EventId, inserted ? "recorded" : "duplicate", cost));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var entry in entries.Where(e => e.AmountMicros != 0))
        {
            await posting.ApplyAsync(entry, cancellationToken);
        }

        return outcomes;
    }

    /// <summary>quantity × unit price, rounded half up to the micro-dollar.</summary>
    public static long CostMicros(decimal quantity, long unitPriceMicros)
        => (long)decimal.Round(quantity * unitPriceMicros, 0, MidpointRounding.AwayFromZero);
}
