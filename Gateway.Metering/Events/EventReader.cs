using Dapper;
using Npgsql;

namespace Gateway.Metering.Events;

/// <summary>Reads stored events back for audits (<c>GET /admin/events</c>): a tenant's, oldest first, by keyset.</summary>
internal sealed class EventReader(NpgsqlDataSource dataSource)
{
    public async Task<(IReadOnlyList<MeteringEvent> Events, bool HasMore)> ListAsync(string tenantId, Guid? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT event_id, occurred_at, tenant_id, key_id, provider, endpoint, model, served_model, streamed, status,
                   http_status, billable, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
                   reasoning_tokens, audio_input_tokens, audio_output_tokens, total_tokens, usage_source, feature,
                   environment, end_user, trace_id, metadata::text AS metadata, latency_ms, ttft_ms, raw_usage::text AS raw_usage,
                   cost_micros, price_version, admission, attempts::text AS attempts, cache_write_1h_tokens, server_tool_requests,
                   price_id, tier_position, markup_bp
            FROM metering_events
            WHERE tenant_id = @tenantId AND (@after::uuid IS NULL OR event_id > @after)
            ORDER BY event_id
            LIMIT @take
            """,
            new { tenantId, after, take = limit + 1 },
            cancellationToken: cancellationToken))).ToList();
        var hasMore = rows.Count > limit;
        return ([.. rows.Take(limit).Select(r => r.ToEvent())], hasMore);
    }

    private sealed class EventRow
    {
        public Guid event_id { get; init; }
        public DateTime occurred_at { get; init; }
        public string tenant_id { get; init; } = "";
        public string key_id { get; init; } = "";
        public string provider { get; init; } = "";
        public string endpoint { get; init; } = "";
        public string? model { get; init; }
        public string? served_model { get; init; }
        public bool streamed { get; init; }
        public string status { get; init; } = "";
        public int http_status { get; init; }
        public bool billable { get; init; }
        public long input_tokens { get; init; }
        public long output_tokens { get; init; }
        public long cached_input_tokens { get; init; }
        public long cache_write_tokens { get; init; }
        public long reasoning_tokens { get; init; }
        public long audio_input_tokens { get; init; }
        public long audio_output_tokens { get; init; }
        public long total_tokens { get; init; }
        public string usage_source { get; init; } = "";
        public string? feature { get; init; }
        public string? environment { get; init; }
        public string? end_user { get; init; }
        public string? trace_id { get; init; }
        public string? metadata { get; init; }
        public int latency_ms { get; init; }
        public int? ttft_ms { get; init; }
        public string? raw_usage { get; init; }
        public long cost_micros { get; init; }
        public int? price_version { get; init; }
        public string admission { get; init; } = "";
        public string? attempts { get; init; }
        public long cache_write_1h_tokens { get; init; }
        public long server_tool_requests { get; init; }
        public long? price_id { get; init; }
        public long? tier_position { get; init; }
        public int? markup_bp { get; init; }

        public MeteringEvent ToEvent() => new()
        {
            EventId = event_id,
            OccurredAt = new DateTimeOffset(DateTime.SpecifyKind(occurred_at, DateTimeKind.Utc)),
            TenantId = tenant_id,
            KeyId = key_id,
            Provider = provider,
            Endpoint = endpoint,
            Model = model,
            ServedModel = served_model,
            Streamed = streamed,
            Status = status,
            HttpStatus = http_status,
            Billable = billable,
            InputTokens = input_tokens,
            OutputTokens = output_tokens,
            CachedInputTokens = cached_input_tokens,
            CacheWriteTokens = cache_write_tokens,
            ReasoningTokens = reasoning_tokens,
            AudioInputTokens = audio_input_tokens,
            AudioOutputTokens = audio_output_tokens,
            TotalTokens = total_tokens,
            UsageSource = usage_source,
            Feature = feature,
            Environment = environment,
            EndUser = end_user,
            TraceId = trace_id,
            Metadata = metadata is null ? null : System.Text.Json.JsonSerializer.Deserialize(metadata, Sink.SinkJsonContext.Default.IReadOnlyDictionaryStringString),
            LatencyMs = latency_ms,
            TtftMs = ttft_ms,
            RawUsage = raw_usage,
            CostMicros = cost_micros,
            PriceVersion = price_version,
            Admission = admission,
            CacheWrite1hTokens = cache_write_1h_tokens,
            ServerToolRequests = server_tool_requests,
            PriceId = price_id,
            TierPosition = tier_position,
            MarkupBp = markup_bp,
            Attempts = attempts is null ? null : System.Text.Json.JsonSerializer.Deserialize(attempts, Sink.SinkJsonContext.Default.IReadOnlyListProviderAttempt),
        };
    }
}
