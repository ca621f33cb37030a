using System.Text.Json;
using Gateway.Metering.Events;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.Metering.Sink;

/// <summary>
/// Writes a batch of events in one transaction with binary COPY. Writing the same batch twice (a retry after an
/// unknown outcome, a stream entry delivered again) is harmless: events already stored (same event id and time) are
/// skipped.
/// </summary>
internal sealed class PostgresEventWriter(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        event_id, occurred_at, tenant_id, key_id, provider, endpoint, model, served_model, streamed, status,
        http_status, billable, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
        audio_input_tokens, audio_output_tokens, total_tokens, usage_source, feature, environment, end_user, trace_id,
        metadata, latency_ms, ttft_ms, raw_usage, cost_micros, price_version, admission, attempts,
        cache_write_1h_tokens, server_tool_requests, price_id, tier_position, markup_bp
        """;

    /// <summary>Returns how many events were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
    {
        // Fast path, the common case: COPY straight into the table, each event written once. An event stored before
        // (a stream entry delivered again after a crash between commit and acknowledge) makes the COPY fail on the
        // unique key; only then is the batch written through the staging table, which skips what exists.
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await CopyAsync(connection, "metering_events", batch, cancellationToken);
            await RollupWriter.AddEventsAsync(connection, batch, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return batch.Count;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await WriteSkippingKnownAsync(batch, cancellationToken);
        }
    }

    private async Task<int> WriteSkippingKnownAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE event_staging (LIKE metering_events INCLUDING DEFAULTS) ON COMMIT DROP", connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await CopyAsync(connection, "event_staging", batch, cancellationToken);
        var inserted = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO metering_events ({Columns}) SELECT {Columns} FROM event_staging ON CONFLICT (event_id, occurred_at) DO NOTHING RETURNING event_id",
            connection,
            transaction))
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetGuid(0));
            }
        }

        // Only the events stored now enter the rollups; those stored before are in them already.
        await RollupWriter.AddEventsAsync(connection, batch.Where(e => inserted.Contains(e.EventId)), cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        return inserted.Count;
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
    {
        await using (var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            // Synchronous writes: the importer buffers rows and only touches the socket when its buffer fills; an
            // await per column (35 a row) buys nothing here. A batch is milliseconds of CPU, though: every 64 rows
            // the requests sharing the core get their turn (on one core a whole batch at once was the p99).
            var row = 0;
            foreach (var e in batch)
            {
                if (++row % 64 == 0)
                {
                    await Task.Yield();
                }

                importer.StartRow();
                importer.Write(e.EventId, NpgsqlDbType.Uuid);
                importer.Write(e.OccurredAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                importer.Write(e.TenantId, NpgsqlDbType.Text);
                importer.Write(e.KeyId, NpgsqlDbType.Text);
                importer.Write(e.Provider, NpgsqlDbType.Text);
                importer.Write(e.Endpoint, NpgsqlDbType.Text);
                WriteNullable(importer, e.Model, NpgsqlDbType.Text);
                WriteNullable(importer, e.ServedModel, NpgsqlDbType.Text);
                importer.Write(e.Streamed, NpgsqlDbType.Boolean);
                importer.Write(e.Status, NpgsqlDbType.Text);
                importer.Write(e.HttpStatus, NpgsqlDbType.Integer);
                importer.Write(e.Billable, NpgsqlDbType.Boolean);
                importer.Write(e.InputTokens, NpgsqlDbType.Bigint);
                importer.Write(e.OutputTokens, NpgsqlDbType.Bigint);
                importer.Write(e.CachedInputTokens, NpgsqlDbType.Bigint);
                importer.Write(e.CacheWriteTokens, NpgsqlDbType.Bigint);
                importer.Write(e.ReasoningTokens, NpgsqlDbType.Bigint);
                importer.Write(e.AudioInputTokens, NpgsqlDbType.Bigint);
                importer.Write(e.AudioOutputTokens, NpgsqlDbType.Bigint);
                importer.Write(e.TotalTokens, NpgsqlDbType.Bigint);
                importer.Write(e.UsageSource, NpgsqlDbType.Text);
                WriteNullable(importer, e.Feature, NpgsqlDbType.Text);
                WriteNullable(importer, e.Environment, NpgsqlDbType.Text);
                WriteNullable(importer, e.EndUser, NpgsqlDbType.Text);
                WriteNullable(importer, e.TraceId, NpgsqlDbType.Text);
                WriteNullable(importer, e.Metadata is { Count: > 0 } m ? JsonSerializer.Serialize(m, SinkJsonContext.Default.IReadOnlyDictionaryStringString) : null, NpgsqlDbType.Jsonb);
                importer.Write(e.LatencyMs, NpgsqlDbType.Integer);
                WriteNullable(importer, e.TtftMs);

                WriteNullable(importer, e.RawUsage, NpgsqlDbType.Json);
                importer.Write(e.CostMicros, NpgsqlDbType.Bigint);
                WriteNullable(importer, e.PriceVersion);

                importer.Write(e.Admission, NpgsqlDbType.Text);
                WriteNullable(importer, e.Attempts is { Count: > 0 } a ? JsonSerializer.Serialize(a, SinkJsonContext.Default.IReadOnlyListProviderAttempt) : null, NpgsqlDbType.Jsonb);
                importer.Write(e.CacheWrite1hTokens, NpgsqlDbType.Bigint);
                importer.Write(e.ServerToolRequests, NpgsqlDbType.Bigint);
                WriteNullable(importer, e.PriceId);
                WriteNullable(importer, e.TierPosition);
                WriteNullable(importer, e.MarkupBp);
            }

            await importer.CompleteAsync(cancellationToken);
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, int? value)
    {
        if (value is { } number)
        {
            importer.Write(number, NpgsqlDbType.Integer);
        }
        else
        {
            importer.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, long? value)
    {
        if (value is { } number)
        {
            importer.Write(number, NpgsqlDbType.Bigint);
        }
        else
        {
            importer.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, type);
        }
    }
}
