using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gateway.Metering.Wallets;

/// <summary>
/// The reconciliation job (issue #4): every <c>interval</c>, compares every tenant's live balance with the ledger and
/// reports each drift (which must be zero) in the log; <see cref="RunAsync"/> serves the admin API too.
/// </summary>
internal sealed partial class ReconciliationService(Reconciler reconciler, NpgsqlDataSource dataSource, TimeProvider time, TimeSpan interval, ILogger<ReconciliationService> logger) : BackgroundService
{
    /// <summary>Reconciles every tenant that has a live wallet (up to <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<Reconciliation>> RunAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var tenants = await connection.QueryAsync<string>(
            "SELECT id FROM tenants ORDER BY id LIMIT @limit",
            new { limit, cancellationToken });
        var results = new List<Reconciliation>();
        foreach (var tenant in tenants)
        {
            if (await reconciler.ReconcileAsync(tenant, cancellationToken) is { } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                foreach (var drifted in (await RunAsync(100_000, stoppingToken)).Where(r => r.DriftMicros != 0))
                {
                    Drift(logger, drifted.TenantId, drifted.DriftMicros, drifted.RedisBalanceMicros, drifted.LedgerBalanceMicros, drifted.UnflushedCostMicros);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or StackExchange.Redis.RedisException or TimeoutException)
            {
                Failed(logger, ex);
            }
        }
    }

    [LoggerMessage(4200, LogLevel.Warning, "Wallet drift for tenant {TenantId}: {DriftMicros} micro-USD (Redis {RedisMicros}, ledger {LedgerMicros}, unflushed {UnflushedMicros})")]
    private static partial void Drift(ILogger logger, string tenantId, long driftMicros, long redisMicros, long ledgerMicros, long unflushedMicros);

    [LoggerMessage(4201, LogLevel.Warning, "Reconciliation run failed")]
    private static partial void Failed(ILogger logger, Exception exception);
}
