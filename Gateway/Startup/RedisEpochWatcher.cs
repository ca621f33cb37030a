using StackExchange.Redis;

namespace Gateway.Startup;

/// <summary>
/// Detects that Redis lost its data (restarted empty, or a failover without the last writes): the epoch marker is
/// gone or changed. Then it seeds Redis again from Postgres (keys, prices, a new epoch); wallets are rebuilt from the
/// ledger on each tenant's next request, and requests in flight settle against the rebuilt wallets (their holds are
/// gone; their costs are still debited and their events recorded).
/// </summary>
internal sealed partial class RedisEpochWatcher(RedisSeeder seeder, IConnectionMultiplexer redis, TimeProvider time, ILogger<RedisEpochWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private string? _epoch;

    /// <summary>The epoch seen at start.</summary>
    public void Remember(string epoch) => _epoch = epoch;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                var current = (string?)await redis.GetDatabase().StringGetAsync(RedisSeeder.EpochKey);
                if (current is null || current != _epoch)
                {
                    RedisLost(logger, _epoch, current);
                    _epoch = await seeder.SeedAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or Npgsql.NpgsqlException)
            {
                CheckFailed(logger, ex); // unreachable for now; checked again next interval
            }
        }
    }

    [LoggerMessage(110, LogLevel.Warning, "Redis lost its data (epoch {Known} → {Found}); seeding it again from Postgres")]
    private static partial void RedisLost(ILogger logger, string? known, string? found);

    [LoggerMessage(111, LogLevel.Debug, "Checking the Redis epoch failed")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
