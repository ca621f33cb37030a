using System.Text.Json;
using StackExchange.Redis;

namespace Gateway.Metering.Rating;

/// <summary>
/// The request path's copy of current prices, in one Redis hash (model → JSON), so no gateway reads Postgres to
/// price a request. A change is published so every gateway reloads at once.
/// </summary>
internal sealed class PriceStore(IConnectionMultiplexer redis)
{
    public static readonly RedisKey Key = "gw:prices";

    public static readonly RedisChannel ChangedChannel = RedisChannel.Literal("gw:prices:changed");

    public async Task PutAsync(IEnumerable<ModelPrice> prices, bool publish)
    {
        var entries = prices.Select(p => new HashEntry(p.Model, JsonSerializer.Serialize(p, RatingJsonContext.Default.ModelPrice))).ToArray();
        if (entries.Length == 0)
        {
            return;
        }

        await redis.GetDatabase().HashSetAsync(Key, entries);
        if (publish)
        {
            await redis.GetSubscriber().PublishAsync(ChangedChannel, "1");
        }
    }

    public async Task<Dictionary<string, ModelPrice>> ReadAllAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(Key);
        var prices = new Dictionary<string, ModelPrice>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (JsonSerializer.Deserialize((string)entry.Value!, RatingJsonContext.Default.ModelPrice) is { } price)
            {
                prices[entry.Name!] = price;
            }
        }

        return prices;
    }
}
