using System.Runtime.CompilerServices;
using Gateway.Metering.Events;
using Npgsql;

namespace Gateway.Metering.Export;

/// <summary>
/// Streams stored events whose <c>occurred_at</c> is in [from, to), optionally of one tenant, for
/// <c>GET /admin/export</c>: through a server-side cursor fetched a page at a time, so neither the gateway nor the
/// planner (a cursor prefers a fast-start plan) ever holds the whole range. Ordered by tenant, then occurred_at, then
/// event_id: the order of the (tenant_id, occurred_at) index, which needs no sort of the range.
/// </summary>
internal sealed class EventRangeReader(NpgsqlDataSource dataSource)
{
    /// <summary>Rows fetched per round trip.</summary>
    public const int PageSize = 1000;

    public async IAsyncEnumerable<MeteringEvent> ReadAsync(DateTimeOffset from, DateTimeOffset to, string? tenant, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken); // the cursor reads one snapshot
        await using (var limit = new NpgsqlCommand("SET LOCAL idle_in_transaction_session_timeout = '10min'", connection, transaction))
        {
            await limit.ExecuteNonQueryAsync(cancellationToken); // a client that stops reading does not hold the snapshot and locks for ever
        }

        await using (var declare = new NpgsqlCommand(
            $"""
            DECLARE events_export NO SCROLL CURSOR FOR
            SELECT {EventRowReader.Columns}
            FROM metering_events
            WHERE occurred_at >= $1 AND occurred_at < $2 {(tenant is null ? "" : "AND tenant_id = $3")}
            ORDER BY tenant_id, occurred_at, event_id
            """,
            connection,
            transaction))
        {
            declare.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime });
            declare.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime });
            if (tenant is not null)
            {
                declare.Parameters.Add(new NpgsqlParameter { Value = tenant });
            }

            await declare.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var fetch = new NpgsqlCommand($"FETCH FORWARD {PageSize} FROM events_export", connection, transaction);
        int read;
        do
        {
            read = 0;
            await using var rows = await fetch.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                read++;
                yield return EventRowReader.Read(rows);
            }
        }
        while (read == PageSize);

        await transaction.CommitAsync(cancellationToken);
    }
}
