using Dapper;
using Gateway.Metering.Quotas;
using Npgsql;

namespace Gateway.Metering.Wallets;

/// <summary>
/// The ledger in Postgres, the truth the live wallets are rebuilt from: credits (idempotent by key) minus the cost of
/// every stored event. Also each tenant's limits.
/// </summary>
internal sealed class WalletLedger(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Records a credit once per (tenant, idempotency key); a repeat returns the first one.</summary>
    public async Task<(WalletCredit Credit, bool Created)> AddCreditAsync(string tenantId, long micros, string idempotencyKey, DateTimeOffset? expiresAt, string? note, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var created = await connection.QuerySingleOrDefaultAsync<CreditRow>(new CommandDefinition(
            """
            INSERT INTO wallet_credits (tenant_id, amount_micros, idempotency_key, expires_at, note, created_at)
            VALUES (@tenantId, @micros, @idempotencyKey, @expiresAt, @note, @now)
            ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
            RETURNING id, tenant_id, amount_micros, idempotency_key, expires_at, note, created_at
            """,
            new { tenantId, micros, idempotencyKey, expiresAt, note, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
        if (created is not null)
        {
            return (created.ToCredit(), true);
        }

        var existing = await connection.QuerySingleAsync<CreditRow>(new CommandDefinition(
            "SELECT id, tenant_id, amount_micros, idempotency_key, expires_at, note, created_at FROM wallet_credits WHERE tenant_id = @tenantId AND idempotency_key = @idempotencyKey",
            new { tenantId, idempotencyKey },
            cancellationToken: cancellationToken));
        return (existing.ToCredit(), false);
    }

    /// <summary>Balance by the ledger (credits − Σ event costs) and the credits it includes, read in one snapshot.</summary>
    public async Task<(long BalanceMicros, IReadOnlyList<long> CreditIds)> SnapshotAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var credits = (await connection.QueryAsync<(long Id, long Amount)>(new CommandDefinition(
            "SELECT id, amount_micros FROM wallet_credits WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: cancellationToken))).ToList();
        var costs = await connection.QuerySingleAsync<long>(new CommandDefinition(
            "SELECT COALESCE(SUM(cost_micros), 0)::bigint FROM metering_events WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (credits.Sum(c => c.Amount) - costs, [.. credits.Select(c => c.Id)]);
    }

    public async Task<TenantLimits> LimitsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(long? Rpm, long? Tpm, long? Tpd, long? Tpmo)?>(new CommandDefinition(
            "SELECT requests_per_minute, tokens_per_minute, tokens_per_day, tokens_per_month FROM tenant_limits WHERE tenant_id = @tenantId",
            new { tenantId },
            cancellationToken: cancellationToken));
        return row is { } r ? new TenantLimits(r.Rpm, r.Tpm, r.Tpd, r.Tpmo) : TenantLimits.Unlimited;
    }

    public async Task PutLimitsAsync(string tenantId, TenantLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO tenant_limits (tenant_id, requests_per_minute, tokens_per_minute, tokens_per_day, tokens_per_month, updated_at)
            VALUES (@tenantId, @rpm, @tpm, @tpd, @tpmo, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET requests_per_minute = EXCLUDED.requests_per_minute,
                tokens_per_minute = EXCLUDED.tokens_per_minute, tokens_per_day = EXCLUDED.tokens_per_day,
                tokens_per_month = EXCLUDED.tokens_per_month, updated_at = EXCLUDED.updated_at
            """,
            new { tenantId, rpm = limits.RequestsPerMinute, tpm = limits.TokensPerMinute, tpd = limits.TokensPerDay, tpmo = limits.TokensPerMonth, now = time.GetUtcNow() },
            cancellationToken: cancellationToken));
    }

    private sealed record CreditRow(long id, string tenant_id, long amount_micros, string idempotency_key, DateTime? expires_at, string? note, DateTime created_at)
    {
        public WalletCredit ToCredit() => new(id, tenant_id, amount_micros, idempotency_key,
            expires_at is { } e ? new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)) : null, note,
            new DateTimeOffset(DateTime.SpecifyKind(created_at, DateTimeKind.Utc)));
    }
}
