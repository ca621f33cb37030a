using Gateway.Metering.Events;
using Npgsql;

namespace Gateway.Metering.Sink;

/// <summary>
/// Keeps the usage rollups (hourly by model, feature, environment and end user; daily by model) in the transaction
/// that stores the events, so the rollups always equal the stored events. Rows are written in key order, so two
/// flushers adding to the same rows wait for each other instead of deadlocking.
/// </summary>
internal static class RollupWriter
{
    public static Task AddEventsAsync(NpgsqlConnection connection, IEnumerable<MeteringEvent> events, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<(string, DateTime, string, string, string, string), RollupRow>();
        foreach (var e in events)
        {
            var row = KeyOf(e.TenantId, e.OccurredAt, e.Model, e.Feature, e.Environment, e.EndUser);
            var key = (row.TenantId, row.Hour, row.Model, row.Feature, row.Environment, row.EndUser);
            if (!rows.TryGetValue(key, out var existing))
            {
                rows[key] = existing = row;
            }

            row = existing;

            row.Requests++;
            row.InputTokens += e.InputTokens;
            row.OutputTokens += e.OutputTokens;
            row.CachedInputTokens += e.CachedInputTokens;
            row.CacheWriteTokens += e.CacheWriteTokens;
            row.CacheWrite1hTokens += e.CacheWrite1hTokens;
            row.ReasoningTokens += e.ReasoningTokens;
            row.AudioInputTokens += e.AudioInputTokens;
            row.AudioOutputTokens += e.AudioOutputTokens;
            row.TotalTokens += e.TotalTokens;
            row.ServerToolRequests += e.ServerToolRequests;
            row.CostMicros += e.CostMicros;
        }

        return AddAsync(connection, rows.Values, cancellationToken);
    }

    /// <summary>The rollup row an event (or a re-rating of it) adds to.</summary>
    public static RollupRow KeyOf(string tenantId, DateTimeOffset occurredAt, string? model, string? feature, string? environment, string? endUser)
    {
        var utc = occurredAt.UtcDateTime;
        return new RollupRow(tenantId, new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, DateTimeKind.Utc), model ?? "", feature ?? "", environment ?? "", endUser ?? "");
    }

    public static async Task AddAsync(NpgsqlConnection connection, IEnumerable<RollupRow> rows, CancellationToken cancellationToken)
    {
        var hourly = rows.OrderBy(r => r.TenantId, StringComparer.Ordinal).ThenBy(r => r.Hour).ThenBy(r => r.Model, StringComparer.Ordinal)
            .ThenBy(r => r.Feature, StringComparer.Ordinal).ThenBy(r => r.Environment, StringComparer.Ordinal).ThenBy(r => r.EndUser, StringComparer.Ordinal).ToList();
        if (hourly.Count == 0)
        {
            return;
        }

        var daily = hourly
            .GroupBy(r => (r.TenantId, Day: r.Hour.Date, r.Model))
            .Select(g =>
            {
                var d = new RollupRow(g.Key.TenantId, DateTime.SpecifyKind(g.Key.Day, DateTimeKind.Utc), g.Key.Model, "", "", "");
                foreach (var r in g)
                {
                    Add(d, r);
                }

                return d;
            })
            .OrderBy(r => r.TenantId, StringComparer.Ordinal).ThenBy(r => r.Hour).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();

        await using (var command = Upsert(connection, "usage_hourly", hourly, withDimensions: true))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = Upsert(connection, "usage_daily", daily, withDimensions: false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void Add(RollupRow to, RollupRow from)
    {
        to.Requests += from.Requests;
        to.InputTokens += from.InputTokens;
        to.OutputTokens += from.OutputTokens;
        to.CachedInputTokens += from.CachedInputTokens;
        to.CacheWriteTokens += from.CacheWriteTokens;
        to.CacheWrite1hTokens += from.CacheWrite1hTokens;
        to.ReasoningTokens += from.ReasoningTokens;
        to.AudioInputTokens += from.AudioInputTokens;
        to.AudioOutputTokens += from.AudioOutputTokens;
        to.TotalTokens += from.TotalTokens;
        to.ServerToolRequests += from.ServerToolRequests;
        to.CostMicros += from.CostMicros;
    }

    private static readonly string[] Measures =
    [
        "requests", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
        "reasoning_tokens", "audio_input_tokens", "audio_output_tokens", "total_tokens", "server_tool_requests", "cost_micros",
    ];

    private static NpgsqlCommand Upsert(NpgsqlConnection connection, string table, List<RollupRow> rows, bool withDimensions)
    {
        string[] keys = withDimensions ? ["tenant_id", "bucket", "model", "feature", "environment", "end_user"] : ["tenant_id", "bucket", "model"];
        var columns = keys.Concat(Measures).ToArray();
        var parameters = columns.Select((c, i) => $"@p{i}::{(i == 1 ? "timestamptz" : i < keys.Length ? "text" : "bigint")}[]");
        var sql = $"""
            INSERT INTO {table} ({string.Join(", ", columns)})
            SELECT * FROM unnest({string.Join(", ", parameters)})
            ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET
            {string.Join(", ", Measures.Select(m => $"{m} = {table}.{m} + EXCLUDED.{m}"))}
            """;
        var command = new NpgsqlCommand(sql, connection);
        var p = 0;
        command.Parameters.AddWithValue("p" + p++, rows.Select(r => r.TenantId).ToArray());
        command.Parameters.AddWithValue("p" + p++, rows.Select(r => r.Hour).ToArray());
        command.Parameters.AddWithValue("p" + p++, rows.Select(r => r.Model).ToArray());
        if (withDimensions)
        {
            command.Parameters.AddWithValue("p" + p++, rows.Select(r => r.Feature).ToArray());
            command.Parameters.AddWithValue("p" + p++, rows.Select(r => r.Environment).ToArray());
            command.Parameters.AddWithValue("p" + p++, rows.Select(r => r.EndUser).ToArray());
        }

        foreach (var measure in new Func<RollupRow, long>[]
        {
            r => r.Requests, r => r.InputTokens, r => r.OutputTokens, r => r.CachedInputTokens, r => r.CacheWriteTokens,
            r => r.CacheWrite1hTokens, r => r.ReasoningTokens, r => r.AudioInputTokens, r => r.AudioOutputTokens,
            r => r.TotalTokens, r => r.ServerToolRequests, r => r.CostMicros,
        })
        {
            command.Parameters.AddWithValue("p" + p++, rows.Select(measure).ToArray());
        }

        return command;
    }
}
