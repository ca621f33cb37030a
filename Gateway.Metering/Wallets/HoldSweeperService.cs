using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Metering.Wallets;

/// <summary>
/// Settles the holds of requests whose gateway died (expired, never settled) as <c>abandoned</c>: each releases its
/// hold, bills its input estimate and records its prepared event, in one script. Every gateway sweeps every shard;
/// the script makes a second sweep of the same hold a no-op.
/// </summary>
internal sealed partial class HoldSweeperService(WalletStore wallets, TimeProvider time, TimeSpan interval, ILogger<HoldSweeperService> logger) : BackgroundService
{
    /// <summary>Sweeps once; returns how many holds it abandoned.</summary>
    public async Task<int> SweepAsync()
    {
        var now = time.GetUtcNow();
        var abandoned = 0;
        for (var shard = 0; shard < WalletKeys.Shards; shard++)
        {
            foreach (var (tenantId, holdId) in await wallets.ExpiredAsync(shard, now, 500))
            {
                if (await wallets.AbandonAsync(tenantId, holdId, now))
                {
                    abandoned++;
                    HoldAbandoned(logger, tenantId, holdId);
                }
            }
        }

        return abandoned;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken);
                await SweepAsync();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                SweepFailed(logger, ex); // tried again next interval
            }
        }
    }

    [LoggerMessage(4100, LogLevel.Warning, "Hold {HoldId} of tenant {TenantId} expired unsettled: recorded as abandoned, its input estimate billed")]
    private static partial void HoldAbandoned(ILogger logger, string tenantId, string holdId);

    [LoggerMessage(4101, LogLevel.Warning, "Sweeping expired holds failed")]
    private static partial void SweepFailed(ILogger logger, Exception exception);
}
