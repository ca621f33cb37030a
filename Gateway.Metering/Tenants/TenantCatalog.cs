using Dapper;
using Npgsql;

namespace Gateway.Metering.Tenants;

/// <summary>Tenants and virtual keys in Postgres: the admin API's side, never the request path's.</summary>
internal sealed class TenantCatalog(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>Creates the tenant; false when the id is taken.</summary>
    public async Task<(bool Created, Tenant Tenant)> CreateAsync(string id, string name, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var created = await connection.QuerySingleOrDefaultAsync<TenantRow>(
            """
            INSERT INTO tenants (id, name, status, created_at) VALUES (@id, @name, 'active', @now)
            ON CONFLICT (id) DO NOTHING
            RETURNING id, name, status, created_at
            """,
            new { id, name, now = time.GetUtcNow(), cancellationToken });
        if (created is not null)
        {
            return (true, created.ToTenant());
        }

        return (false, (await FindAsync(id, cancellationToken))!);
    }

    public async Task<Tenant?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TenantRow>(
            "SELECT id, name, status, created_at FROM tenants WHERE id = @id",
            new { id, cancellationToken });
        return row?.ToTenant();
    }

    public async Task<DateTimeOffset> AddKeyAsync(string tenantId, string keyId, string name, string prefix, byte[] hash, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await InsertKeyAsync(connection, "", keyId, tenantId, name, prefix, hash, now, cancellationToken);
        return now;
    }

    /// <summary>Ensures a key with this hash exists for the tenant (the demo seed); idempotent.</summary>
    public async Task<string> EnsureKeyAsync(string tenantId, string name, string prefix, byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await KeyIdAsync(connection, hash, " AND revoked_at IS NULL", cancellationToken) is { } existing)
        {
            return existing;
        }

        await InsertKeyAsync(
            connection, " ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL, tenant_id = EXCLUDED.tenant_id",
            ApiKeys.NewKeyId(), tenantId, name, prefix, hash, time.GetUtcNow(), cancellationToken);
        return await KeyIdAsync(connection, hash, "", cancellationToken)
            ?? throw new InvalidOperationException("The key just written is not in api_keys.");
    }

    // Key hashes go through Npgsql directly: Dapper.AOT binds a byte[] as a list of values (SqlMapper's run-time list
    // expansion), not as one bytea.
    private static async Task InsertKeyAsync(NpgsqlConnection connection, string onConflict, string keyId, string tenantId, string name, string prefix, byte[] hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)" + onConflict, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = keyId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string?> KeyIdAsync(NpgsqlConnection connection, byte[] hash, string andWhere, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id FROM api_keys WHERE key_hash = $1" + andWhere, connection);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = hash });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>Marks the key revoked; returns its hash, or null when no such live key exists.</summary>
    public async Task<byte[]?> RevokeKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<byte[]>(
            "UPDATE api_keys SET revoked_at = @now WHERE id = @keyId AND revoked_at IS NULL RETURNING key_hash",
            new { keyId, now = time.GetUtcNow(), cancellationToken });
    }

    public async Task<IReadOnlyList<(byte[] Hash, KeyIdentity Identity)>> LiveKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LiveKeyRow>(
            "SELECT key_hash AS hash, tenant_id, id AS key_id FROM api_keys WHERE revoked_at IS NULL",
            new { cancellationToken });
        return [.. rows.Select(r => (r.Hash, new KeyIdentity(r.TenantId, r.KeyId)))];
    }

    internal sealed record TenantRow(string id, string name, string status, DateTime created_at)
    {
        public Tenant ToTenant() => new(id, name, status, new DateTimeOffset(DateTime.SpecifyKind(created_at, DateTimeKind.Utc)));
    }

    internal sealed record LiveKeyRow(byte[] Hash, string TenantId, string KeyId);
}
