using Dapper;
using Npgsql;

namespace Gateway.Metering.Rating;

/// <summary>Model prices in Postgres, versioned: a new price is a new row; old versions stay for re-rating.</summary>
internal sealed class PriceCatalog(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Adds the next version of a model's price. Concurrent puts of one model are serialised by an advisory
    /// lock on the model, so each gets its own version number.</summary>
    public async Task<ModelPrice> PutAsync(string model, long input, long output, long? cachedInput, long? cacheWrite, long? reasoning, CancellationToken cancellationToken, long? cacheWrite1h = null, long? serverToolRequest = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtextextended('model_prices:' || @model, 0))", new { model }, transaction, cancellationToken: cancellationToken));
        var version = await connection.QuerySingleAsync<int>(new CommandDefinition(
            """
            INSERT INTO model_prices (model, version, input_per_million_micros, output_per_million_micros,
                cached_input_per_million_micros, cache_write_per_million_micros, reasoning_per_million_micros,
                cache_write_1h_per_million_micros, server_tool_request_micros, created_at)
            SELECT @model, COALESCE(MAX(version), 0) + 1, @input, @output, @cachedInput, @cacheWrite, @reasoning,
                @cacheWrite1h, @serverToolRequest, @now
            FROM model_prices WHERE model = @model
            RETURNING version
            """,
            new { model, input, output, cachedInput, cacheWrite, reasoning, cacheWrite1h, serverToolRequest, now = time.GetUtcNow() },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new ModelPrice(model, version, input, output, cachedInput, cacheWrite, reasoning, cacheWrite1h, serverToolRequest);
    }

    /// <summary>The newest version of every model's price.</summary>
    public async Task<IReadOnlyList<ModelPrice>> CurrentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PriceRow>(new CommandDefinition(
            """
            SELECT DISTINCT ON (model) model, version, input_per_million_micros, output_per_million_micros,
                cached_input_per_million_micros, cache_write_per_million_micros, reasoning_per_million_micros,
                cache_write_1h_per_million_micros, server_tool_request_micros
            FROM model_prices ORDER BY model, version DESC
            """,
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToPrice())];
    }

    private sealed record PriceRow(
        string model, int version, long input_per_million_micros, long output_per_million_micros,
        long? cached_input_per_million_micros, long? cache_write_per_million_micros, long? reasoning_per_million_micros,
        long? cache_write_1h_per_million_micros, long? server_tool_request_micros)
    {
        public ModelPrice ToPrice() => new(model, version, input_per_million_micros, output_per_million_micros,
            cached_input_per_million_micros, cache_write_per_million_micros, reasoning_per_million_micros,
            cache_write_1h_per_million_micros, server_tool_request_micros);
    }
}
