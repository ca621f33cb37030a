using Dapper;
using Gateway.Metering.Rating;
using Gateway.Metering.Sink;
using Gateway.Metering.Wallets;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Metering.Billing;

/// <summary>
/// Re-rating (issue #6): recomputes the cost of stored events from their raw token counts under the price versions,
/// plans and markups in effect at each event's time, in the order the month's tiers count them (time, then event id).
/// Events are never edited: a changed cost goes to <c>event_ratings</c>, the rollups' cost moves by the difference,
/// and the tenant's ledger gets one adjustment for the whole difference, applied to the live wallet once. Periods
/// with a closed invoice are left alone. One re-rating (or closing) runs at a time.
/// </summary>
internal sealed class Rerater(NpgsqlDataSource dataSource, PriceCatalog catalog, BilledEventReader events, WalletPosting posting, TimeProvider time)
{
    /// <summary>The advisory lock re-ratings and closings take, so they never interleave.</summary>
    public const long LockKey = 0x6761_7465_7261_7465; // "gaterate"

    public async Task<RerateResult> RerateAsync(DateTimeOffset from, DateTimeOffset to, string? tenantId, CancellationToken cancellationToken)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await lockConnection.ExecuteAsync("SELECT pg_advisory_lock(@LockKey)", new { LockKey, cancellationToken });
        try
        {
            return await RerateLockedAsync(from, to, tenantId, cancellationToken);
        }
        finally
        {
            await lockConnection.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    /// <summary>For callers already holding <see cref="LockKey"/> (closing a period).</summary>
    public async Task<RerateResult> RerateLockedAsync(DateTimeOffset from, DateTimeOffset to, string? tenantId, CancellationToken cancellationToken)
    {
        var resolver = PriceResolver.Build(await catalog.AllAsync(cancellationToken), await catalog.TenantPricingAsync(null, cancellationToken));
        var now = time.GetUtcNow();
        long rerateId;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            rerateId = await connection.QuerySingleAsync<long>(
                "INSERT INTO reratings (range_from, range_to, tenant_id, created_at) VALUES (@from, @to, @tenantId, @now) RETURNING id",
                new { from, to, tenantId, now, cancellationToken });
        }

        var tenants = new Dictionary<string, TenantRerate>(StringComparer.Ordinal);
        var first = BillingPeriod.Of(from);
        var last = BillingPeriod.Of(to.AddTicks(-1));
        var closed = await ClosedAsync(first, last, tenantId, cancellationToken);
        var skipped = closed.Select(c => $"{c.TenantId}/{c.Period}").Order(StringComparer.Ordinal).ToList();
        var rated = 0;
        var changes = new List<Change>();
        string? current = null;
        var period = first;
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var e in events.ReadAsync(first, last, tenantId, cancellationToken))
        {
            if (e.TenantId != current)
            {
                await WriteAsync(current, changes, rerateId, tenants, cancellationToken);
                (current, changes) = (e.TenantId, []);
                positions.Clear();
            }

            if (BillingPeriod.Of(e.OccurredAt) != period)
            {
                period = BillingPeriod.Of(e.OccurredAt); // a new month: tiers count from zero
                positions.Clear();
            }

            if (!e.Billable || e.Model is null)
            {
                continue;
            }

            var position = positions.GetValueOrDefault(e.Model);
            positions[e.Model] = position + Rater.TierTokens(e.Usage);
            if (e.OccurredAt < from || e.OccurredAt >= to || closed.Contains((e.TenantId, period.Name))
                || resolver.Resolve(e.TenantId, e.Model, e.OccurredAt) is not { } resolved)
            {
                continue;
            }

            rated++;
            var cost = Rater.Rate(e.Usage, resolved.Price, position, resolved.MarkupBp);
            if (cost != e.CostMicros || e.PriceId != resolved.Price.Id || e.TierPosition != position || e.MarkupBp != resolved.MarkupBp)
            {
                changes.Add(new Change(e, cost, resolved.Price, position, resolved.MarkupBp));
            }
        }

        await WriteAsync(current, changes, rerateId, tenants, cancellationToken);
        var result = new RerateResult(rerateId, rated, tenants.Values.Sum(t => t.EventsChanged), tenants.Values.Sum(t => t.DifferenceMicros),
            [.. tenants.Values.OrderBy(t => t.TenantId, StringComparer.Ordinal)], skipped);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            await connection.ExecuteAsync(
                "UPDATE reratings SET summary = jsonb_build_object('events_rated', @rated, 'events_changed', @changed, 'difference_micros', @difference) WHERE id = @rerateId",
                new { rated, changed = result.EventsChanged, difference = result.DifferenceMicros, rerateId, cancellationToken });
        }

        return result;
    }

    private async Task<HashSet<(string TenantId, string Period)>> ClosedAsync(BillingPeriod first, BillingPeriod last, string? tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await connection.QueryAsync<ClosedRow>(
            "SELECT tenant_id, period FROM invoices WHERE period >= @first AND period <= @last AND (@tenantId::text IS NULL OR tenant_id = @tenantId)",
            new { first = first.Name, last = last.Name, tenantId, cancellationToken })).Select(r => (r.TenantId, r.Period))];
    }

    /// <summary>One tenant's changes, in one transaction: ratings, rollup costs, one ledger entry for the difference.</summary>
    private async Task WriteAsync(string? tenantId, List<Change> changes, long rerateId, Dictionary<string, TenantRerate> tenants, CancellationToken cancellationToken)
    {
        if (tenantId is null || changes.Count == 0)
        {
            return;
        }

        var oldCost = changes.Sum(c => c.Event.CostMicros);
        var newCost = changes.Sum(c => c.Cost);
        WalletAdjustment? adjustment = null;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using (var create = new NpgsqlCommand("CREATE TEMP TABLE rating_staging (LIKE event_ratings) ON COMMIT DROP", connection, transaction))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var now = time.GetUtcNow().UtcDateTime;
            await using (var importer = await connection.BeginBinaryImportAsync(
                "COPY rating_staging (event_id, occurred_at, tenant_id, cost_micros, price_id, price_version, tier_position, markup_bp, rerate_id, rated_at) FROM STDIN (FORMAT BINARY)",
                cancellationToken))
            {
                foreach (var c in changes)
                {
                    importer.StartRow();
                    importer.Write(c.Event.EventId, NpgsqlDbType.Uuid);
                    importer.Write(c.Event.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                    importer.Write(tenantId, NpgsqlDbType.Text);
                    importer.Write(c.Cost, NpgsqlDbType.Bigint);
                    importer.Write(c.Price.Id, NpgsqlDbType.Bigint);
                    importer.Write(c.Price.Version, NpgsqlDbType.Integer);
                    importer.Write(c.Position, NpgsqlDbType.Bigint);
                    importer.Write(c.MarkupBp, NpgsqlDbType.Integer);
                    importer.Write(rerateId, NpgsqlDbType.Bigint);
                    importer.Write(now, NpgsqlDbType.TimestampTz);
                }

                await importer.CompleteAsync(cancellationToken);
            }

            await using (var upsert = new NpgsqlCommand(
                """
                INSERT INTO event_ratings SELECT * FROM rating_staging
                ON CONFLICT (event_id, occurred_at) DO UPDATE SET cost_micros = EXCLUDED.cost_micros, price_id = EXCLUDED.price_id,
                    price_version = EXCLUDED.price_version, tier_position = EXCLUDED.tier_position, markup_bp = EXCLUDED.markup_bp,
                    rerate_id = EXCLUDED.rerate_id, rated_at = EXCLUDED.rated_at
                """,
                connection,
                transaction))
            {
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }

            var deltas = new Dictionary<(DateTime, string, string, string, string), RollupRow>();
            foreach (var c in changes.Where(c => c.Cost != c.Event.CostMicros))
            {
                var row = RollupWriter.KeyOf(tenantId, c.Event.OccurredAt, c.Event.Model, c.Event.Feature, c.Event.Environment, c.Event.EndUser);
                var key = (row.Hour, row.Model, row.Feature, row.Environment, row.EndUser);
                if (!deltas.TryGetValue(key, out var existing))
                {
                    deltas[key] = existing = row;
                }

                existing.CostMicros += c.Cost - c.Event.CostMicros;
            }

            await RollupWriter.AddAsync(connection, deltas.Values, cancellationToken);
            if (newCost != oldCost)
            {
                (adjustment, _) = await WalletLedger.AddAdjustmentAsync(connection, transaction, tenantId, oldCost - newCost, "rerate",
                    rerateId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"re-rating {rerateId}: {changes.Count} events", time.GetUtcNow(), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        if (adjustment is not null)
        {
            await posting.ApplyAsync(adjustment, cancellationToken);
        }

        tenants[tenantId] = new TenantRerate(tenantId, changes.Count, oldCost, newCost, adjustment?.Id);
    }

    private sealed record Change(BilledEvent Event, long Cost, ModelPrice Price, long Position, int MarkupBp);

    internal sealed record ClosedRow(string TenantId, string Period);
}
