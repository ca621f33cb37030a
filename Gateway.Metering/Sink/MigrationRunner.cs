using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gateway.Metering.Sink;

/// <summary>
/// Applies the versioned plain-SQL migrations embedded in this assembly (<c>Sink/Migrations/NNNN_name.sql</c>), each
/// once, in order, each in its own transaction, under an advisory lock so several gateways starting together agree.
/// </summary>
internal sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    private const long LockId = 0x6761_7465_7761_79; // "gateway"

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@LockId)", new { LockId, cancellationToken });
        try
        {
            await connection.ExecuteAsync(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """,
                new { cancellationToken });
            var applied = (await connection.QueryAsync<int>(
                "SELECT version FROM schema_migrations",
                new { cancellationToken })).ToHashSet();

            foreach (var (version, name, sql) in Load())
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var script = new NpgsqlCommand(sql, connection, transaction))
                {
                    await script.ExecuteNonQueryAsync(cancellationToken);
                }

                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name) VALUES (@version, @name)",
                    new { version, name, cancellationToken },
                    transaction: transaction);
                await transaction.CommitAsync(cancellationToken);
                logger.MigrationApplied(version, name);
            }

            if (applied.Contains(3) || Load().Any(m => m.Version == 3))
            {
                // The months around now always have their partition (events of a month without one would pile up in
                // the default partition). Run at every start; creating a month that exists does nothing.
                await connection.ExecuteAsync(
                    "SELECT ensure_events_partition(now() + make_interval(months => m)) FROM generate_series(-1, 2) AS m",
                    new { cancellationToken });
            }
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockId)", new { LockId, CancellationToken.None });
        }
    }

    internal static IEnumerable<(int Version, string Name, string Sql)> Load()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("Migrations/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = resource["Migrations/".Length..^".sql".Length];
            var version = int.Parse(file.AsSpan(0, file.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            yield return (version, file, reader.ReadToEnd());
        }
    }
}
