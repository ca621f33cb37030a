using StackExchange.Redis;

namespace Gateway.Metering.Tenants;

/// <summary>
/// The request path's view of virtual keys, in Redis: SHA-256 (hex) → tenant and key id. Postgres holds the truth;
/// this is written on key creation and at start, and deleted on revocation, which is also published so every gateway
/// drops its cached copy at once.
/// </summary>
internal sealed class KeyStore(IConnectionMultiplexer redis)
{
    public static readonly RedisChannel RevokedChannel = RedisChannel.Literal("gw:keys:revoked");

    private static RedisKey KeyFor(string hashHex) => "gw:key:" + hashHex;

    public async Task<KeyIdentity?> FindAsync(string hashHex)
    {
        var value = await redis.GetDatabase().StringGetAsync(KeyFor(hashHex));
        if (value.IsNull)
        {
            return null;
        }

        var text = value.ToString();
        var split = text.IndexOf('\n', StringComparison.Ordinal);
        return split < 0 ? null : new KeyIdentity(text[..split], text[(split + 1)..]);
    }

    public Task PutAsync(string hashHex, KeyIdentity identity)
        => redis.GetDatabase().StringSetAsync(KeyFor(hashHex), identity.TenantId + "\n" + identity.KeyId);

    public async Task PutManyAsync(IEnumerable<(string HashHex, KeyIdentity Identity)> keys)
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var writes = keys.Select(k => batch.StringSetAsync(KeyFor(k.HashHex), k.Identity.TenantId + "\n" + k.Identity.KeyId)).ToList();
        batch.Execute();
        await Task.WhenAll(writes);
    }

    public async Task RevokeAsync(string hashHex)
    {
        await redis.GetDatabase().KeyDeleteAsync(KeyFor(hashHex));
        await redis.GetSubscriber().PublishAsync(RevokedChannel, hashHex);
    }
}
