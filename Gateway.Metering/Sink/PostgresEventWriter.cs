using System.Text.Json;
using Gateway.Metering.Events;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Metering.Sink;

/// <summary>
/// Writes a batch of events in one transaction: binary COPY into a temporary staging table, then one insert that
/// skips events already stored (same event id and time), so writing the same batch twice (a retry after an unknown
/// outcome, a stream entry delivered again) is harmless.
/// </summary>
internal sealed class PostgresEventWriter(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        event_id, occurred_at, tenant_id, key_id, provider, endpoint, model, served_model, streamed, status,
        http_status, billable, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
        audio_input_tokens, audio_output_tokens, total_tokens, usage_source, feature, environment, end_user, trace_id,
        metadata, latency_ms, ttft_ms, raw_usage, cost_micros, price_version, admission
        """;

    /// <summary>Returns how many events were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE event_staging (LIKE metering_events INCLUDING DEFAULTS) ON COMMIT DROP", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(
            $"COPY event_staging ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var e in batch)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(e.EventId, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(e.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(e.TenantId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.KeyId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.Provider, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.Endpoint, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.Model, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.ServedModel, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.Streamed, NpgsqlDbType.Boolean, cancellationToken);
                await importer.WriteAsync(e.Status, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(e.HttpStatus, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(e.Billable, NpgsqlDbType.Boolean, cancellationToken);
                await importer.WriteAsync(e.InputTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.OutputTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.CachedInputTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.CacheWriteTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.ReasoningTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.AudioInputTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.AudioOutputTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.TotalTokens, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(e.UsageSource, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.Feature, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.Environment, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.EndUser, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.TraceId, NpgsqlDbType.Text, cancellationToken);
                await WriteNullable(importer, e.Metadata is { Count: > 0 } m ? JsonSerializer.Serialize(m, SinkJsonContext.Default.IReadOnlyDictionaryStringString) : null, NpgsqlDbType.Jsonb, cancellationToken);
                await importer.WriteAsync(e.LatencyMs, NpgsqlDbType.Integer, cancellationToken);
                if (e.TtftMs is { } ttft)
                {
                    await importer.WriteAsync(ttft, NpgsqlDbType.Integer, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }

                await WriteNullable(importer, e.RawUsage, NpgsqlDbType.Json, cancellationToken);
                await importer.WriteAsync(e.CostMicros, NpgsqlDbType.Bigint, cancellationToken);
                if (e.PriceVersion is { } version)
                {
                    await importer.WriteAsync(version, NpgsqlDbType.Integer, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }

                await importer.WriteAsync(e.Admission, NpgsqlDbType.Text, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        int inserted;
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO metering_events ({Columns}) SELECT {Columns} FROM event_staging ON CONFLICT (event_id, occurred_at) DO NOTHING",
            connection,
            transaction))
        {
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private static Task WriteNullable(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken)
        => value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);
}
