using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Metering.Rating;

/// <summary>
/// Prices by model, held in process and reloaded from Redis every <see cref="RefreshInterval"/> and at once when any
/// gateway publishes a change; a lookup never waits on I/O. Prices are looked up by the requested model.
/// </summary>
internal sealed partial class PriceBook(PriceStore store, IConnectionMultiplexer redis, TimeProvider time, ILogger<PriceBook> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private volatile Dictionary<string, ModelPrice> _prices = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reload = new(0);

    public ModelPrice? Find(string model) => _prices.TryGetValue(model, out var price) ? price : null;

    public IReadOnlyCollection<ModelPrice> All => _prices.Values;

    /// <summary>Loads now (at start, and after this process changed a price). Prices are never deleted, so an empty
    /// read over a non-empty book means Redis lost them (it is being seeded again): the book is kept.</summary>
    public async Task LoadAsync()
    {
        var loaded = await store.ReadAllAsync();
        if (loaded.Count > 0 || _prices.Count == 0)
        {
            _prices = loaded;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await redis.GetSubscriber().SubscribeAsync(PriceStore.ChangedChannel, (_, _) => _reload.Release());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LoadAsync();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                ReloadFailed(logger, ex); // keep the last prices; try again shortly
            }

            try
            {
                using var timeout = new CancellationTokenSource(RefreshInterval, time);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stoppingToken);
                await _reload.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // interval elapsed
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(4000, LogLevel.Warning, "Reloading prices from Redis failed")]
    private static partial void ReloadFailed(ILogger logger, Exception exception);
}
