using Dapper;
using Npgsql;

namespace Gateway.Metering.Alerts;

/// <summary>A tenant's tokens from the stored events (index on tenant + time): the last 60 seconds, and the
/// <c>windowMinutes</c> before them. Events stamped after <c>now</c> (a gateway whose clock runs ahead)
/// count as the last minute's.</summary>
internal sealed class SpendReader(NpgsqlDataSource dataSource)
{
    public async Task<(long LastMinute, long Trailing)> ReadAsync(string tenantId, DateTimeOffset now, int windowMinutes, CancellationToken cancellationToken)
    {
        var minuteStart = now - TimeSpan.FromMinutes(1);
        var windowStart = minuteStart - TimeSpan.FromMinutes(windowMinutes);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<SpendRow>(
            """
            SELECT COALESCE(SUM(total_tokens) FILTER (WHERE occurred_at >= @minuteStart), 0)::bigint AS last_minute,
                   COALESCE(SUM(total_tokens) FILTER (WHERE occurred_at < @minuteStart), 0)::bigint AS trailing
            FROM metering_events
            WHERE tenant_id = @tenantId AND occurred_at >= @windowStart
            """,
            new { tenantId, minuteStart, windowStart, cancellationToken });
        return (row.LastMinute, row.Trailing);
    }

    internal sealed record SpendRow(long LastMinute, long Trailing);
}
