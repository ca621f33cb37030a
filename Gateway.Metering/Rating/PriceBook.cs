using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Metering.Rating;

/// <summary>
/// Prices, held in process and reloaded from Redis every <see cref="RefreshInterval"/> and at once when any gateway
/// publishes a change; a lookup never waits on I/O. Prices are looked up by tenant and requested model, at the time of
/// the request (a version dated in the future takes over by itself when its time comes).
/// </summary>
internal sealed partial class PriceBook(PriceStore store, IConnectionMultiplexer redis, TimeProvider time, ILogger<PriceBook> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private volatile PriceResolver _prices = PriceResolver.Empty;
    private readonly SemaphoreSlim _reload = new(0);

    public ResolvedPrice? Find(string tenantId, string model) => _prices.Resolve(tenantId, model, time.GetUtcNow());

    /// <summary>A tenant's plan and markup now.</summary>
    public TenantPricing Pricing(string tenantId) => _prices.PricingAt(tenantId, time.GetUtcNow());

    /// <summary>Tenants with a pricing history (a plan or a markup at some time).</summary>
    public IEnumerable<string> TenantsWithPricing => _prices.Pricing.Select(p => p.TenantId).Distinct(StringComparer.Ordinal);

    /// <summary>The version of each model everyone pays now.</summary>
    public IEnumerable<ModelPrice> All => _prices.GlobalAt(time.GetUtcNow());

    /// <summary>Loads now (at start, and after this process changed a price). Prices are never deleted, so an empty
    /// read over a non-empty book means Redis lost them (it is being seeded again): the book is kept.</summary>
    public async Task LoadAsync()
    {
        var loaded = await store.ReadAsync();
        if (!loaded.IsEmpty || _prices.IsEmpty)
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
