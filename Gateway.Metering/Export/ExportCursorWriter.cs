using Dapper;
using Npgsql;

namespace Gateway.Metering.Export;

/// <summary>
/// The exporter's progress in Postgres (<c>export_cursors</c>, one row per cursor name), and the events a target
/// refused (<c>export_rejections</c>), written in the same transaction as the cursor move past them. The cursor only
/// moves forward, so an exporter that lost its lease and finishes a stale batch cannot take it back.
/// </summary>
internal sealed class ExportCursorWriter(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Before any event: the start of a new cursor.</summary>
    public static readonly DateTime Origin = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public async Task<ExportCursor> LoadAsync(string name, DateTimeOffset? startAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CursorRow>(
            "SELECT recorded_at, event_id FROM export_cursors WHERE name = @name",
            new { name, cancellationToken });
        return row is { } found
            ? new ExportCursor(DateTime.SpecifyKind(found.RecordedAt, DateTimeKind.Utc), found.EventId)
            : new ExportCursor(startAt?.UtcDateTime ?? Origin, Guid.Empty);
    }

    public async Task AdvanceAsync(string name, ExportCursor to, int count, IReadOnlyList<ExportRejection> rejected, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var r in rejected)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO export_rejections (cursor_name, event_id, occurred_at, tenant_id, http_status, reason, rejected_at)
                VALUES (@name, @EventId, @OccurredAt, @TenantId, @Status, @Reason, @now)
                ON CONFLICT (cursor_name, event_id) DO UPDATE
                SET http_status = excluded.http_status, reason = excluded.reason, rejected_at = excluded.rejected_at
                """,
                new { name, r.Event.EventId, OccurredAt = r.Event.OccurredAt.UtcDateTime, r.Event.TenantId, r.Status, r.Reason, now, cancellationToken },
                transaction: transaction);
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO export_cursors (name, recorded_at, event_id, exported, updated_at)
            VALUES (@name, @at, @id, @count, @now)
            ON CONFLICT (name) DO UPDATE
            SET recorded_at = excluded.recorded_at, event_id = excluded.event_id,
                exported = export_cursors.exported + excluded.exported, updated_at = excluded.updated_at
            WHERE (export_cursors.recorded_at, export_cursors.event_id) < (excluded.recorded_at, excluded.event_id)
            """,
            new { name, at = to.RecordedAt, id = to.EventId, count = (long)count, now, cancellationToken },
            transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
    }

    internal sealed record CursorRow(DateTime RecordedAt, Guid EventId);
}
