using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using StackExchange.Redis;

namespace Gateway.Metering.Wallets;

/// <summary>
/// Redis key names of one tenant. Every key of a tenant, and the event stream its settles append to, share one hash
/// tag <c>{gwN}</c> (N = the tenant's shard), so each script touches a single slot and runs unchanged on Redis
/// Cluster. The shard count is fixed for a deployment: changing it moves tenants' keys.
/// </summary>
internal readonly record struct WalletKeys(string Tag, string TenantId)
{
    public const int Shards = 16;

    /// <summary>Tenants whose keys are kept made (every request admits and settles with them); past this many the
    /// cache starts over rather than grow without end.</summary>
    private const int CachedTenants = 100_000;

    private static readonly ConcurrentDictionary<string, WalletKeys> Cache = new(StringComparer.Ordinal);

    private readonly string _prefix = Tag + ":t:" + TenantId + ":";

    /// <summary>This tenant's script key arrays for the current minute (made once per minute, shared).</summary>
    public ScriptKeys Scripts { get; } = new();

    public static WalletKeys For(string tenantId)
    {
        if (Cache.TryGetValue(tenantId, out var keys))
        {
            return keys;
        }

        if (Cache.Count >= CachedTenants)
        {
            Cache.Clear();
        }

        return Cache.GetOrAdd(tenantId, static t => new WalletKeys(Tag: "{gw" + ShardOf(t) + "}", t));
    }

    public static int ShardOf(string tenantId) => (int)(XxHash32.HashToUInt32(Encoding.UTF8.GetBytes(tenantId)) % Shards);

    public static RedisKey StreamOfShard(int shard) => "{gw" + shard + "}:events";

    private string Prefix => _prefix;

    /// <summary>Hash: balance, held (micros), status, limits, expired_holds.</summary>
    public RedisKey Wallet { get; } = Tag + ":t:" + TenantId + ":wallet";

    /// <summary>Hash: hold id → micros.</summary>
    public RedisKey Holds { get; } = Tag + ":t:" + TenantId + ":holds";

    /// <summary>Hash: hold id → the <c>abandoned</c> event recorded if the hold expires unsettled.</summary>
    public RedisKey HoldEvents { get; } = Tag + ":t:" + TenantId + ":holdevents";

    /// <summary>Sorted set: ids of holds settled as abandoned, by time (kept a day), so a late settle does nothing.</summary>
    public RedisKey Abandoned { get; } = Tag + ":t:" + TenantId + ":abandoned";

    /// <summary>Sorted set of the whole shard: "tenant\nhold id" by expiry (Unix ms), swept by every gateway.</summary>
    public RedisKey Expiring { get; } = Tag + ":expiring";

    /// <summary>The member of <see cref="Expiring"/> for a hold.</summary>
    public string ExpiringMember(string holdId) => TenantId + "\n" + holdId;

    public static RedisKey ExpiringOfShard(int shard) => "{gw" + shard + "}:expiring";

    /// <summary>Set: ledger credit ids already added to the balance.</summary>
    public RedisKey AppliedCredits => Prefix + "credits";

    public RedisKey Requests(long minute) => Prefix + "rpm:" + minute;

    public RedisKey TokensPerMinute(long minute) => Prefix + "tpm:" + minute;

    public RedisKey TokensPerDay(string day) => Prefix + "tpd:" + day;

    public RedisKey TokensPerMonth(string month) => Prefix + "tpmo:" + month;

    /// <summary>Hash: model → the tenant's tokens of it in the month (tier positions).</summary>
    public RedisKey MonthTokens(string month) => Prefix + "mtd:" + month;

    public RedisKey Stream { get; } = Tag + ":events";
}
