using Gateway.Metering.Export;
using Npgsql;

namespace Gateway.Metering.Events;

/// <summary>Reads stored events back for audits (<c>GET /admin/events</c>): a tenant's, oldest first, by keyset. Rows
/// map to events by <see cref="EventRowReader"/>, as in the export, so both answer one shape.</summary>
internal sealed class EventReader(NpgsqlDataSource dataSource)
{
    public async Task<(IReadOnlyList<MeteringEvent> Events, bool HasMore)> ListAsync(string tenantId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {EventRowReader.Columns}
            FROM metering_events
            WHERE tenant_id = @tenantId AND (@after::uuid IS NULL OR event_id > @after)
            ORDER BY event_id
            LIMIT @take
            """,
            connection);
        command.Parameters.AddWithValue("tenantId", tenantId);
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)after ?? DBNull.Value });
        command.Parameters.AddWithValue("take", limit + 1);
        var events = new List<MeteringEvent>(Math.Min(limit + 1, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(EventRowReader.Read(reader));
        }

        var hasMore = events.Count > limit;
        return (hasMore ? events[..limit] : events, hasMore);
    }
}
