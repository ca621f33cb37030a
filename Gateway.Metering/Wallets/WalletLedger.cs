using System.Globalization;
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
    public async Task<(WalletCredit Credit, bool Created)> AddCreditAsync(string tenantId, long micros, string idempotencyKey, DateTimeOffset? expiresAt, string? note, CancellationToken cancellationToken, int priority = 1)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var created = await connection.QuerySingleOrDefaultAsync<CreditRow>(
            """
            INSERT INTO wallet_credits (tenant_id, amount_micros, idempotency_key, expires_at, note, created_at, priority)
            VALUES (@tenantId, @micros, @idempotencyKey, @expiresAt, @note, @now, @priority)
            ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
            RETURNING id, tenant_id, amount_micros, idempotency_key, expires_at, note, created_at, priority
            """,
            new { tenantId, micros, idempotencyKey, expiresAt, note, now = time.GetUtcNow(), priority, cancellationToken });
        if (created is not null)
        {
            return (created.ToCredit(), true);
        }

        var existing = await connection.QuerySingleAsync<CreditRow>(
            "SELECT id, tenant_id, amount_micros, idempotency_key, expires_at, note, created_at, priority FROM wallet_credits WHERE tenant_id = @tenantId AND idempotency_key = @idempotencyKey",
            new { tenantId, idempotencyKey, cancellationToken });
        return (existing.ToCredit(), false);
    }

    /// <summary>
    /// Balance by the ledger (credits + adjustments − Σ event costs as charged) and the ledger entries it includes,
    /// read in one snapshot. Entries are named as the live wallet remembers them: a credit by its id, an adjustment
    /// as "a" + its id (<see cref="AdjustmentMember"/>).
    /// </summary>
    public async Task<(long BalanceMicros, IReadOnlyList<string> Entries)> SnapshotAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var credits = (await connection.QueryAsync<EntryRow>(
            "SELECT id, amount_micros AS amount FROM wallet_credits WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken },
            transaction: transaction)).ToList();
        var adjustments = (await connection.QueryAsync<EntryRow>(
            "SELECT id, amount_micros AS amount FROM wallet_adjustments WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken },
            transaction: transaction)).ToList();
        var costs = await connection.QuerySingleAsync<long>(
            "SELECT COALESCE(SUM(cost_micros), 0)::bigint FROM metering_events WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken },
            transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
        return (credits.Sum(c => c.Amount) + adjustments.Sum(a => a.Amount) - costs,
            [.. credits.Select(c => c.Id.ToString(CultureInfo.InvariantCulture)), .. adjustments.Select(a => AdjustmentMember(a.Id))]);
    }

    public static string AdjustmentMember(long id) => "a" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Records a signed ledger entry once per (tenant, kind, reference); a repeat returns the first one.</summary>
    public async Task<(WalletAdjustment Adjustment, bool Created)> AddAdjustmentAsync(string tenantId, long micros, string kind, string reference, string? note, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await AddAdjustmentAsync(connection, null, tenantId, micros, kind, reference, note, time.GetUtcNow(), cancellationToken);
    }

    /// <summary>As above, inside the caller's transaction.</summary>
    public static async Task<(WalletAdjustment Adjustment, bool Created)> AddAdjustmentAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string tenantId, long micros, string kind, string reference, string? note, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var created = await connection.QuerySingleOrDefaultAsync<long?>(
            """
            INSERT INTO wallet_adjustments (tenant_id, amount_micros, kind, reference, note, created_at)
            VALUES (@tenantId, @micros, @kind, @reference, @note, @now)
            ON CONFLICT (tenant_id, kind, reference) DO NOTHING
            RETURNING id
            """,
            new { tenantId, micros, kind, reference, note, now, cancellationToken },
            transaction: transaction);
        if (created is { } id)
        {
            return (new WalletAdjustment(id, tenantId, micros, kind, reference), true);
        }

        var existing = await connection.QuerySingleAsync<EntryRow>(
            "SELECT id, amount_micros AS amount FROM wallet_adjustments WHERE tenant_id = @tenantId AND kind = @kind AND reference = @reference",
            new { tenantId, kind, reference, cancellationToken },
            transaction: transaction);
        return (new WalletAdjustment(existing.Id, tenantId, existing.Amount, kind, reference), false);
    }

    /// <summary>Adjustments of the given kinds written since <paramref name="since"/>, oldest first.</summary>
    public async Task<IReadOnlyList<WalletAdjustment>> AdjustmentsSinceAsync(string[] kinds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Npgsql directly: Dapper.AOT would bind the array by SqlMapper's run-time list expansion.
        await using var command = new NpgsqlCommand(
            "SELECT id, tenant_id, amount_micros, kind, reference FROM wallet_adjustments WHERE kind = ANY($1) AND created_at >= $2 ORDER BY id", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = kinds });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var adjustments = new List<WalletAdjustment>();
        while (await reader.ReadAsync(cancellationToken))
        {
            adjustments.Add(new WalletAdjustment(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4)));
        }

        return adjustments;
    }

    public async Task<TenantLimits> LimitsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<LimitsRow>(
            "SELECT requests_per_minute AS rpm, tokens_per_minute AS tpm, tokens_per_day AS tpd, tokens_per_month AS tpmo FROM tenant_limits WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken });
        return row is { } r ? new TenantLimits(r.Rpm, r.Tpm, r.Tpd, r.Tpmo) : TenantLimits.Unlimited;
    }

    public async Task PutLimitsAsync(string tenantId, TenantLimits limits, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO tenant_limits (tenant_id, requests_per_minute, tokens_per_minute, tokens_per_day, tokens_per_month, updated_at)
            VALUES (@tenantId, @rpm, @tpm, @tpd, @tpmo, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET requests_per_minute = EXCLUDED.requests_per_minute,
                tokens_per_minute = EXCLUDED.tokens_per_minute, tokens_per_day = EXCLUDED.tokens_per_day,
                tokens_per_month = EXCLUDED.tokens_per_month, updated_at = EXCLUDED.updated_at
            """,
            new { tenantId, rpm = limits.RequestsPerMinute, tpm = limits.TokensPerMinute, tpd = limits.TokensPerDay, tpmo = limits.TokensPerMonth, now = time.GetUtcNow(), cancellationToken });
    }

    /// <summary>Every credit grant of a tenant, oldest first.</summary>
    public async Task<IReadOnlyList<WalletCredit>> CreditsAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CreditRow>(
            "SELECT id, tenant_id, amount_micros, idempotency_key, expires_at, note, created_at, priority FROM wallet_credits WHERE tenant_id = @tenantId ORDER BY id",
            new { tenantId, cancellationToken });
        return [.. rows.Select(r => r.ToCredit())];
    }

    internal sealed record CreditRow(long id, string tenant_id, long amount_micros, string idempotency_key, DateTime? expires_at, string? note, DateTime created_at, int priority)
    {
        public WalletCredit ToCredit() => new(id, tenant_id, amount_micros, idempotency_key,
            expires_at is { } e ? new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)) : null, note,
            new DateTimeOffset(DateTime.SpecifyKind(created_at, DateTimeKind.Utc)), priority);
    }

    internal sealed record EntryRow(long Id, long Amount);

    internal sealed record LimitsRow(long? Rpm, long? Tpm, long? Tpd, long? Tpmo);
}
