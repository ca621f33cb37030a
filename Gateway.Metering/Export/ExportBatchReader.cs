using Gateway.Metering.Events;
using Npgsql;

namespace Gateway.Metering.Export;

/// <summary>
/// Reads the next events for the exporter in commit order. occurred_at cannot order them: it is the request's start,
/// and events reach Postgres late and out of order (long streams, a Redis stream claimed after a crash, concurrent
/// flushers). recorded_at is the writing transaction's start (<c>DEFAULT now()</c>), with event_id breaking ties
/// within a batch. A write that began before the cursor's recorded_at but commits after it would be passed over, so
/// only events older than the <b>horizon</b> are read: the earlier of now − <see cref="ExportOptions.Lag"/> and the
/// start of the oldest transaction still writing to metering_events (holding its RowExclusiveLock). The horizon is
/// taken in a statement before the read, so a write it does not see began after it, and its rows lie beyond it.
/// </summary>
internal sealed class ExportBatchReader(NpgsqlDataSource dataSource, ExportOptions options)
{
    public async Task<ExportBatch?> NextAsync(ExportCursor after, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        DateTime horizon;
        await using (var command = new NpgsqlCommand(
            """
            SELECT least(now() - $1, (
                SELECT min(a.xact_start)
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'relation' AND l.relation = 'metering_events'::regclass
                  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()))
            """,
            connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = options.Lag });
            horizon = (DateTime)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        var tenants = options.Tenants.Length > 0;
        await using var read = new NpgsqlCommand(
            $"""
            SELECT {EventRowReader.Columns}, recorded_at
            FROM metering_events
            WHERE (recorded_at, event_id) > ($1, $2) AND recorded_at < $3 {(tenants ? "AND tenant_id = ANY($5)" : "")}
            ORDER BY recorded_at, event_id
            LIMIT $4
            """,
            connection);
        read.Parameters.Add(new NpgsqlParameter { Value = after.RecordedAt });
        read.Parameters.Add(new NpgsqlParameter { Value = after.EventId });
        read.Parameters.Add(new NpgsqlParameter { Value = horizon });
        read.Parameters.Add(new NpgsqlParameter { Value = options.BatchSize });
        if (tenants)
        {
            read.Parameters.Add(new NpgsqlParameter { Value = options.Tenants });
        }

        var events = new List<MeteringEvent>(options.BatchSize);
        var last = after;
        await using var rows = await read.ExecuteReaderAsync(cancellationToken);
        while (await rows.ReadAsync(cancellationToken))
        {
            var e = EventRowReader.Read(rows);
            events.Add(e);
            last = new ExportCursor(rows.GetDateTime(EventRowReader.Count), e.EventId);
        }

        return events.Count == 0 ? null : new ExportBatch(events, last);
    }
}
