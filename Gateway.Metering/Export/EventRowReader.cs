using System.Text.Json;
using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Npgsql;

namespace Gateway.Metering.Export;

/// <summary>
/// Maps a <c>metering_events</c> row, selected with <see cref="Columns"/>, to the event, by ordinal: the export reads
/// with a plain <see cref="NpgsqlDataReader"/> so rows stream one at a time. <c>/admin/events</c> reads the same way, so
/// both answer the same shape.
/// </summary>
internal static class EventRowReader
{
    public const string Columns = """
        event_id, occurred_at, tenant_id, key_id, provider, endpoint, model, served_model, streamed, status,
        http_status, billable, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
        audio_input_tokens, audio_output_tokens, total_tokens, usage_source, feature, environment, end_user, trace_id,
        metadata::text, latency_ms, ttft_ms, raw_usage::text, cost_micros, price_version, admission, attempts::text,
        cache_write_1h_tokens, server_tool_requests, price_id, tier_position, markup_bp
        """;

    /// <summary>How many columns <see cref="Columns"/> selects; a query may select more after them.</summary>
    public const int Count = 38;

    public static MeteringEvent Read(NpgsqlDataReader row) => new()
    {
        EventId = row.GetGuid(0),
        OccurredAt = new DateTimeOffset(DateTime.SpecifyKind(row.GetDateTime(1), DateTimeKind.Utc)),
        TenantId = row.GetString(2),
        KeyId = row.GetString(3),
        Provider = row.GetString(4),
        Endpoint = row.GetString(5),
        Model = Text(row, 6),
        ServedModel = Text(row, 7),
        Streamed = row.GetBoolean(8),
        Status = row.GetString(9),
        HttpStatus = row.GetInt32(10),
        Billable = row.GetBoolean(11),
        InputTokens = row.GetInt64(12),
        OutputTokens = row.GetInt64(13),
        CachedInputTokens = row.GetInt64(14),
        CacheWriteTokens = row.GetInt64(15),
        ReasoningTokens = row.GetInt64(16),
        AudioInputTokens = row.GetInt64(17),
        AudioOutputTokens = row.GetInt64(18),
        TotalTokens = row.GetInt64(19),
        UsageSource = row.GetString(20),
        Feature = Text(row, 21),
        Environment = Text(row, 22),
        EndUser = Text(row, 23),
        TraceId = Text(row, 24),
        Metadata = Text(row, 25) is { } metadata ? JsonSerializer.Deserialize(metadata, SinkJsonContext.Default.IReadOnlyDictionaryStringString) : null,
        LatencyMs = row.GetInt32(26),
        TtftMs = row.IsDBNull(27) ? null : row.GetInt32(27),
        RawUsage = Text(row, 28),
        CostMicros = row.GetInt64(29),
        PriceVersion = row.IsDBNull(30) ? null : row.GetInt32(30),
        Admission = row.GetString(31),
        Attempts = Text(row, 32) is { } attempts ? JsonSerializer.Deserialize(attempts, SinkJsonContext.Default.IReadOnlyListProviderAttempt) : null,
        CacheWrite1hTokens = row.GetInt64(33),
        ServerToolRequests = row.GetInt64(34),
        PriceId = row.IsDBNull(35) ? null : row.GetInt64(35),
        TierPosition = row.IsDBNull(36) ? null : row.GetInt64(36),
        MarkupBp = row.IsDBNull(37) ? null : row.GetInt32(37),
    };

    private static string? Text(NpgsqlDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
