using System.Collections.Concurrent;
using Gateway.Metering.Tenants;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Auth;

/// <summary>
/// Key hash → identity, reused for <see cref="AuthOptions.KeyCacheTtl"/>, unknown keys included (so garbage keys
/// cannot hammer Redis). A revocation published by any gateway removes the entry here at once.
/// </summary>
internal sealed class KeyCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly KeyStore _store;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly AuthOptions _options;

    public KeyCache(KeyStore store, IConnectionMultiplexer redis, TimeProvider time, IOptions<AuthOptions> options)
    {
        _store = store;
        _redis = redis;
        _time = time;
        _options = options.Value;
    }

    /// <summary>Listens for revocations; at start, before requests (never synchronously on a request thread).</summary>
    public Task SubscribeAsync()
        => _redis.GetSubscriber().SubscribeAsync(KeyStore.RevokedChannel, (_, hash) => _entries.TryRemove(hash.ToString(), out Entry _));

    /// <summary>The identity of a key hash, or null for unknown and revoked keys. Throws when Redis is unreachable.</summary>
    public async ValueTask<KeyIdentity?> FindAsync(string hashHex)
    {
        var now = _time.GetTimestamp();
        if (_entries.TryGetValue(hashHex, out var entry) && now < entry.ExpiresAt)
        {
            return entry.Identity;
        }

        var identity = await _store.FindAsync(hashHex);
        if (_entries.Count >= _options.KeyCacheSize)
        {
            _entries.Clear();
        }

        var ttlTicks = (long)(_options.KeyCacheTtl.TotalSeconds * _time.TimestampFrequency);
        _entries[hashHex] = new Entry(identity, now + ttlTicks);
        return identity;
    }

    /// <summary>Forgets a key here (the revoking process does not wait for its own published message).</summary>
    public void Forget(string hashHex) => _entries.TryRemove(hashHex, out _);

    private readonly record struct Entry(KeyIdentity? Identity, long ExpiresAt);
}
