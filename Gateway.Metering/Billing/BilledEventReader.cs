using System.Runtime.CompilerServices;
using Gateway.Metering.Usage;
using Npgsql;

namespace Gateway.Metering.Billing;

/// <summary>Streams stored events of whole billing periods, per tenant in rating order (time, then event id), with
/// their current rating. Never holds them in memory.</summary>
internal sealed class BilledEventReader(NpgsqlDataSource dataSource)
{
    public IAsyncEnumerable<BilledEvent> ReadAsync(BillingPeriod period, string? tenantId, CancellationToken cancellationToken)
        => ReadAsync(period, period, tenantId, cancellationToken);

    /// <summary>From the start of <paramref name="first"/> to the end of <paramref name="last"/>.</summary>
    public async IAsyncEnumerable<BilledEvent> ReadAsync(BillingPeriod first, BillingPeriod last, string? tenantId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT e.event_id, e.occurred_at, e.tenant_id, e.model, e.feature, e.environment, e.end_user, e.billable,
                   e.input_tokens, e.output_tokens, e.cached_input_tokens, e.cache_write_tokens, e.reasoning_tokens,
                   e.audio_input_tokens, e.audio_output_tokens, e.cache_write_1h_tokens, e.server_tool_requests,
                   COALESCE(r.cost_micros, e.cost_micros),
                   CASE WHEN r.event_id IS NULL THEN e.price_id ELSE r.price_id END,
                   CASE WHEN r.event_id IS NULL THEN e.tier_position ELSE r.tier_position END,
                   CASE WHEN r.event_id IS NULL THEN e.markup_bp ELSE r.markup_bp END
            FROM metering_events e
            LEFT JOIN event_ratings r ON r.event_id = e.event_id AND r.occurred_at = e.occurred_at
            WHERE e.occurred_at >= @from AND e.occurred_at < @to AND (@tenant::text IS NULL OR e.tenant_id = @tenant)
            ORDER BY e.tenant_id, e.occurred_at, e.event_id
            """,
            connection);
        command.Parameters.AddWithValue("from", first.Start);
        command.Parameters.AddWithValue("to", last.End);
        command.Parameters.AddWithValue("tenant", (object?)tenantId ?? DBNull.Value);
        command.Parameters["tenant"].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new BilledEvent(
                reader.GetGuid(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                Text(reader, 3),
                Text(reader, 4),
                Text(reader, 5),
                Text(reader, 6),
                reader.GetBoolean(7),
                new TokenUsage(reader.GetInt64(8), reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11), reader.GetInt64(12),
                    reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16)),
                reader.GetInt64(17),
                reader.IsDBNull(18) ? null : reader.GetInt64(18),
                reader.IsDBNull(19) ? null : reader.GetInt64(19),
                reader.IsDBNull(20) ? null : reader.GetInt32(20));
        }
    }

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
