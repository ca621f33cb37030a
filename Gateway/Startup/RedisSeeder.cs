using Gateway.Metering.Rating;
using Gateway.Metering.Tenants;
using StackExchange.Redis;

namespace Gateway.Startup;

/// <summary>
/// Puts the request path's copies into Redis from Postgres, the truth: the live keys and the current prices, then the
/// epoch marker. Wallets are not copied here: each is rebuilt from the ledger on its tenant's next request.
/// </summary>
internal sealed class RedisSeeder(TenantCatalog tenants, KeyStore keys, PricingSync pricing, IConnectionMultiplexer redis, ILogger<RedisSeeder> logger)
{
    public static readonly RedisKey EpochKey = "gw:epoch";

    /// <summary>Seeds and returns the epoch now in Redis (an existing one is kept).</summary>
    public async Task<string> SeedAsync(CancellationToken cancellationToken)
    {
        // Prices before keys: a request let in by a re-seeded key must find its price.
        await pricing.SeedAsync(cancellationToken);
        var live = await tenants.LiveKeysAsync(cancellationToken);
        await keys.PutManyAsync(live.Select(k => (Convert.ToHexStringLower(k.Hash), k.Identity)));
        logger.KeysSynced(live.Count);

        // Written last: its presence says the copies above are in place.
        var db = redis.GetDatabase();
        await db.StringSetAsync(EpochKey, Guid.NewGuid().ToString("N"), when: When.NotExists);
        return (string)(await db.StringGetAsync(EpochKey))!;
    }
}
