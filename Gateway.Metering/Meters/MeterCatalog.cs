using Dapper;
using Npgsql;

namespace Gateway.Metering.Meters;

/// <summary>Meters in Postgres.</summary>
internal sealed class MeterCatalog(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<Meter> PutAsync(string id, long unitPriceMicros, string aggregation, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO meters (id, unit_price_micros, aggregation, updated_at) VALUES (@id, @unitPriceMicros, @aggregation, @now)
            ON CONFLICT (id) DO UPDATE SET unit_price_micros = EXCLUDED.unit_price_micros, aggregation = EXCLUDED.aggregation, updated_at = EXCLUDED.updated_at
            """,
            new { id, unitPriceMicros, aggregation, now, cancellationToken });
        return new Meter(id, unitPriceMicros, aggregation, now);
    }

    public async Task<IReadOnlyDictionary<string, Meter>> AllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MeterRow>(
            "SELECT id, unit_price_micros AS price, aggregation, updated_at FROM meters",
            new { cancellationToken });
        return rows.ToDictionary(r => r.Id, r => new Meter(r.Id, r.Price, r.Aggregation, new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc))), StringComparer.Ordinal);
    }

    internal sealed record MeterRow(string Id, long Price, string Aggregation, DateTime UpdatedAt);
}
