using Gateway.Metering.Wallets;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Gateway.Metering.Telemetry;

/// <summary>
/// Samples the event streams' length (XLEN of every shard, pipelined) for the backlog gauge, every
/// <paramref name="interval"/>: a scrape never waits on Redis, and no request pays for it.
/// </summary>
internal sealed class BacklogSampler(IConnectionMultiplexer redis, MeteringMetrics metrics, TimeProvider time, TimeSpan interval) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var db = redis.GetDatabase();
        var lengths = new Task<long>[WalletKeys.Shards];
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                for (var shard = 0; shard < lengths.Length; shard++)
                {
                    lengths[shard] = db.StreamLengthAsync(WalletKeys.StreamOfShard(shard));
                }

                await Task.WhenAll(lengths);
                metrics.StreamBacklog(lengths.Sum(l => l.Result));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                metrics.RedisError(); // the flusher logs the outage; the gauge keeps its last value
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
