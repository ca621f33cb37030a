using Dapper;
using Npgsql;

namespace Gateway.Metering.Billing;

/// <summary>Plans in Postgres.</summary>
internal sealed class PlanCatalog(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<Plan> PutAsync(string id, long monthlyFeeMicros, long includedCreditsMicros, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO plans (id, monthly_fee_micros, included_credits_micros, updated_at) VALUES (@id, @monthlyFeeMicros, @includedCreditsMicros, @now)
            ON CONFLICT (id) DO UPDATE SET monthly_fee_micros = EXCLUDED.monthly_fee_micros,
                included_credits_micros = EXCLUDED.included_credits_micros, updated_at = EXCLUDED.updated_at
            """,
            new { id, monthlyFeeMicros, includedCreditsMicros, now, cancellationToken });
        return new Plan(id, monthlyFeeMicros, includedCreditsMicros, now);
    }

    public async Task<Plan?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PlanRow>(
            "SELECT id, monthly_fee_micros AS fee, included_credits_micros AS included, updated_at FROM plans WHERE id = @id",
            new { id, cancellationToken });
        return row is { } r ? new Plan(r.Id, r.Fee, r.Included, new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc))) : null;
    }

    internal sealed record PlanRow(string Id, long Fee, long Included, DateTime UpdatedAt);
}
