using System.Text.Json;
using Dapper;
using Npgsql;

namespace Gateway.Metering.Rating;

/// <summary>
/// Prices in Postgres, versioned per (scope, model): a new price is a new row, effective from a given time; old
/// versions stay for re-rating. Also each tenant's plan and markup over time.
/// </summary>
internal sealed class PriceCatalog(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = """
        id, scope, model, version, input_per_million_micros, output_per_million_micros, cached_input_per_million_micros,
        cache_write_per_million_micros, reasoning_per_million_micros, cache_write_1h_per_million_micros,
        server_tool_request_micros, effective_from, tier_mode, tiers::text AS tiers
        """;

    /// <summary>Adds the next version of a model's price in a scope. Concurrent puts of one (scope, model) are
    /// serialised by an advisory lock, so each gets its own version number.</summary>
    public async Task<ModelPrice> PutAsync(ModelPrice price, DateTimeOffset? effectiveFrom, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "SELECT pg_advisory_xact_lock(hashtextextended('model_prices:' || @scope || '|' || @model, 0))",
            new { scope = price.Scope, model = price.Model, cancellationToken },
            transaction: transaction);
        var now = time.GetUtcNow(); // read under the lock: a later version is never effective before an earlier one
        var tierMode = price.Tiers is { Count: > 0 } ? (price.TierMode == TierMode.Volume ? "volume" : "graduated") : null;
        string? tiers = price.Tiers is { Count: > 0 } t ? JsonSerializer.Serialize(t, RatingJsonContext.Default.IReadOnlyListPriceTier) : null; // typed: see InvoiceStore
        var row = await connection.QuerySingleAsync<PriceRow>(
            $"""
            INSERT INTO model_prices (scope, model, version, input_per_million_micros, output_per_million_micros,
                cached_input_per_million_micros, cache_write_per_million_micros, reasoning_per_million_micros,
                cache_write_1h_per_million_micros, server_tool_request_micros, created_at, effective_from, tier_mode, tiers)
            SELECT @scope, @model, COALESCE(MAX(version), 0) + 1, @input, @output, @cachedInput, @cacheWrite, @reasoning,
                @cacheWrite1h, @serverToolRequest, @now, @effectiveFrom, @tierMode, @tiers::jsonb
            FROM model_prices WHERE scope = @scope AND model = @model
            RETURNING {Columns}
            """,
            new
            {
                scope = price.Scope,
                model = price.Model,
                input = price.InputPerMillionMicros,
                output = price.OutputPerMillionMicros,
                cachedInput = price.CachedInputPerMillionMicros,
                cacheWrite = price.CacheWritePerMillionMicros,
                reasoning = price.ReasoningPerMillionMicros,
                cacheWrite1h = price.CacheWrite1hPerMillionMicros,
                serverToolRequest = price.ServerToolRequestMicros,
                now,
                effectiveFrom = effectiveFrom ?? now,
                tierMode,
                tiers,
                cancellationToken,
            },
            transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
        return row.ToPrice();
    }

    /// <summary>Convenience for a flat price everyone pays, effective now.</summary>
    public Task<ModelPrice> PutAsync(string model, long input, long output, long? cachedInput, long? cacheWrite, long? reasoning, CancellationToken cancellationToken, long? cacheWrite1h = null, long? serverToolRequest = null)
        => PutAsync(new ModelPrice(model, 0, input, output, cachedInput, cacheWrite, reasoning, cacheWrite1h, serverToolRequest), null, cancellationToken);

    /// <summary>Every version of one (scope, model), oldest version first.</summary>
    public async Task<IReadOnlyList<ModelPrice>> VersionsAsync(string scope, string model, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PriceRow>(
            $"SELECT {Columns} FROM model_prices WHERE scope = @scope AND model = @model ORDER BY version",
            new { scope, model, cancellationToken });
        return [.. rows.Select(r => r.ToPrice())];
    }

    /// <summary>Every version of every price, of every scope.</summary>
    public async Task<IReadOnlyList<ModelPrice>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PriceRow>(
            $"SELECT {Columns} FROM model_prices ORDER BY scope, model, version",
            new { cancellationToken });
        return [.. rows.Select(r => r.ToPrice())];
    }

    /// <summary>The version of each model everyone pays now.</summary>
    public async Task<IReadOnlyList<ModelPrice>> CurrentAsync(CancellationToken cancellationToken)
        => [.. PriceResolver.Build(await AllAsync(cancellationToken), []).GlobalAt(time.GetUtcNow())];

    /// <summary>Records a tenant's plan and markup from <paramref name="effectiveFrom"/> on.</summary>
    public async Task<TenantPricing> PutTenantPricingAsync(string tenantId, string? planId, int markupBp, DateTimeOffset effectiveFrom, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO tenant_pricing (tenant_id, effective_from, plan_id, markup_bp) VALUES (@tenantId, @effectiveFrom, @planId, @markupBp)",
            new { tenantId, effectiveFrom, planId, markupBp, cancellationToken });
        return new TenantPricing(tenantId, planId, markupBp, effectiveFrom);
    }

    /// <summary>Every tenant's pricing history, oldest first; only tenants with one.</summary>
    public async Task<IReadOnlyList<TenantPricing>> TenantPricingAsync(string? tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TenantPricingRow>(
            """
            SELECT tenant_id, plan_id, markup_bp, effective_from FROM tenant_pricing
            WHERE @tenantId::text IS NULL OR tenant_id = @tenantId ORDER BY tenant_id, effective_from, seq
            """,
            new { tenantId, cancellationToken });
        return [.. rows.Select(r => new TenantPricing(r.TenantId, r.PlanId, r.MarkupBp, Utc(r.EffectiveFrom)))];
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    internal sealed record PriceRow(
        long id, string scope, string model, int version, long input_per_million_micros, long output_per_million_micros,
        long? cached_input_per_million_micros, long? cache_write_per_million_micros, long? reasoning_per_million_micros,
        long? cache_write_1h_per_million_micros, long? server_tool_request_micros, DateTime effective_from,
        string? tier_mode, string? tiers)
    {
        public ModelPrice ToPrice() => new(model, version, input_per_million_micros, output_per_million_micros,
            cached_input_per_million_micros, cache_write_per_million_micros, reasoning_per_million_micros,
            cache_write_1h_per_million_micros, server_tool_request_micros)
        {
            Id = id,
            Scope = scope,
            EffectiveFrom = Utc(effective_from),
            TierMode = tier_mode == "volume" ? TierMode.Volume : TierMode.Graduated,
            Tiers = tiers is null ? null : JsonSerializer.Deserialize(tiers, RatingJsonContext.Default.IReadOnlyListPriceTier),
        };
    }

    internal sealed record TenantPricingRow(string TenantId, string? PlanId, int MarkupBp, DateTime EffectiveFrom);
}
