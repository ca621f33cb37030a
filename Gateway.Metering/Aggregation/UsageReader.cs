using Npgsql;

namespace Gateway.Metering.Aggregation;

/// <summary>
/// Answers a <see cref="UsageQuery"/> from the rollups the flusher keeps (or, for trace ids, from the raw events with
/// their current ratings). Every name in the SQL comes from a fixed list; values are parameters.
/// </summary>
internal sealed class UsageReader(NpgsqlDataSource dataSource)
{
    public async Task<(IReadOnlyList<UsageRow> Rows, bool Truncated)> ReadAsync(UsageQuery query, int limit, CancellationToken cancellationToken)
    {
        var source = query.Source;
        var columns = query.GroupBy.Select(g => UsageQuery.Dimensions[g]).ToArray();
        string table, time, measures;
        if (source == UsageSource.Events)
        {
            table = "metering_events e LEFT JOIN event_ratings r ON r.event_id = e.event_id AND r.occurred_at = e.occurred_at";
            time = "e.occurred_at";
            measures = string.Join(", ", UsageQuery.Measures.Select(m => m switch
            {
                "requests" => "count(*)::bigint",
                "cost_micros" => "COALESCE(sum(COALESCE(r.cost_micros, e.cost_micros)), 0)::bigint",
                _ => $"COALESCE(sum(e.{m}), 0)::bigint",
            }));
            columns = [.. columns.Select(c => "e." + c)];
        }
        else
        {
            table = source == UsageSource.DailyRollup ? "usage_daily" : "usage_hourly";
            time = "bucket";
            measures = string.Join(", ", UsageQuery.Measures.Select(m => $"sum({m})::bigint"));
            columns = [.. columns.Select(c => c == "tenant_id" ? c : $"NULLIF({c}, '')")];
        }

        var tenantFilter = source == UsageSource.Events ? "e.tenant_id" : "tenant_id";
        var groups = string.Join("", columns.Select((_, i) => $", {i + 2}"));
        var sql = $"""
            SELECT date_trunc('{query.Window}', {time}, 'UTC') AS period_start{string.Concat(columns.Select(c => ", " + c))}, {measures}
            FROM {table}
            WHERE {time} >= @from AND {time} < @to AND (@tenant::text IS NULL OR {tenantFilter} = @tenant)
            GROUP BY 1{groups}
            ORDER BY 1{groups}
            LIMIT @limit
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("from", query.From);
        command.Parameters.AddWithValue("to", query.To);
        command.Parameters.Add(new NpgsqlParameter("tenant", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)query.TenantId ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit + 1);
        var rows = new List<UsageRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var dimensions = new string?[columns.Length];
            for (var i = 0; i < dimensions.Length; i++)
            {
                dimensions[i] = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
            }

            var values = new long[UsageQuery.Measures.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.GetInt64(1 + columns.Length + i);
            }

            rows.Add(new UsageRow(reader.GetFieldValue<DateTimeOffset>(0), dimensions, values));
        }

        var truncated = rows.Count > limit;
        return (truncated ? rows[..limit] : rows, truncated);
    }
}
