using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Metering.Rating;

/// <summary>
/// The request path's copy of the prices, so no gateway reads Postgres to price a request: one Redis hash of every
/// (scope, model)'s versions and one of every tenant's pricing history, as JSON. A change is published so every
/// gateway reloads at once.
/// </summary>
internal sealed class PriceStore(IConnectionMultiplexer redis)
{
    public static readonly RedisKey Key = "gw:prices:v2";

    public static readonly RedisKey TenantsKey = "gw:tenant-pricing:v2";

    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal("gw:prices:changed");

    /// <summary>Writes the given versions, replacing each (scope, model)'s list with the versions given for it.</summary>
    public async Task PutAsync(IEnumerable<ModelPrice> versions, bool publish)
    {
        var entries = versions
            .GroupBy(p => PriceResolver.KeyOf(p.Scope, p.Model), StringComparer.Ordinal)
            .Select(g => new HashEntry(g.Key, JsonSerializer.Serialize<IReadOnlyList<ModelPrice>>([.. g], RatingJsonContext.Default.IReadOnlyListModelPrice)))
            .ToArray();
        if (entries.Length > 0)
        {
            await redis.GetDatabase().HashSetAsync(Key, entries);
        }

        if (publish)
        {
            await PublishAsync();
        }
    }

    /// <summary>Writes the given tenants' whole pricing histories.</summary>
    public async Task PutTenantPricingAsync(IEnumerable<TenantPricing> history, bool publish)
    {
        var entries = history
            .GroupBy(t => t.TenantId, StringComparer.Ordinal)
            .Select(g => new HashEntry(g.Key, JsonSerializer.Serialize<IReadOnlyList<TenantPricing>>([.. g], RatingJsonContext.Default.IReadOnlyListTenantPricing)))
            .ToArray();
        if (entries.Length > 0)
        {
            await redis.GetDatabase().HashSetAsync(TenantsKey, entries);
        }

        if (publish)
        {
            await PublishAsync();
        }
    }

    public Task PublishAsync() => redis.GetSubscriber().PublishAsync(ChangedChannel, "1");

    public async Task<PriceResolver> ReadAsync()
    {
        var db = redis.GetDatabase();
        var prices = db.HashGetAllAsync(Key);
        var tenants = db.HashGetAllAsync(TenantsKey);
        var versions = new List<ModelPrice>();
        foreach (var entry in await prices)
        {
            if (TryRead((string)entry.Value!, RatingJsonContext.Default.IReadOnlyListModelPrice) is { } list)
            {
                versions.AddRange(list);
            }
        }

        var pricing = new List<TenantPricing>();
        foreach (var entry in await tenants)
        {
            if (TryRead((string)entry.Value!, RatingJsonContext.Default.IReadOnlyListTenantPricing) is { } list)
            {
                pricing.AddRange(list);
            }
        }

        return PriceResolver.Build(versions, pricing);
    }

    /// <summary>An entry this version cannot read (written by another version) is skipped, not fatal: Postgres is the
    /// truth and the seeder rewrites the hash.</summary>
    private static T? TryRead<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
