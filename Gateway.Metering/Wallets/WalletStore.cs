using Gateway.Metering.Quotas;
using StackExchange.Redis;

namespace Gateway.Metering.Wallets;

/// <summary>
/// Live wallets, holds and quota windows in Redis, each operation one Lua script over one tenant's keys (one slot).
/// Postgres keeps the ledger; this is what requests are admitted against.
/// </summary>
internal sealed class WalletStore(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>Runs the admission script; <paramref name="abandonedEventJson"/> is recorded if the hold expires unsettled.</summary>
    public async Task<AdmissionResult> AdmitAsync(string tenantId, string holdId, long holdMicros, long reservedTokens, DateTimeOffset now, TimeSpan holdTtl, long maxBacklog = -1, RedisValue abandonedEventJson = default, string model = "")
    {
        var keys = WalletKeys.For(tenantId);
        var window = QuotaWindow.At(now);
        var result = (RedisResult[])(await WalletScripts.Admit.RunAsync(
            Db,
            keys.Scripts.Admit(keys, window),
            [now.ToUnixTimeMilliseconds(), holdId, holdMicros, reservedTokens, (long)holdTtl.TotalMilliseconds, maxBacklog, keys.ExpiringMember(holdId), abandonedEventJson.IsNull ? "{}" : abandonedEventJson, model]))!;
        var outcome = (AdmissionOutcome)(int)result[0];
        return outcome switch
        {
            AdmissionOutcome.Admitted => new AdmissionResult(
                outcome,
                BalanceMicros: (long)result[1],
                HeldMicros: (long)result[2],
                AvailableMicros: (long)result[1] - (long)result[2],
                RequestLimit: (long)result[3],
                RequestsLeft: (long)result[4],
                TokenLimit: (long)result[5],
                TokensLeft: (long)result[6],
                MonthTokens: (long)result[7]),
            AdmissionOutcome.WindowFull => new AdmissionResult(outcome, Window: (int)result[1]),
            AdmissionOutcome.InsufficientBalance => new AdmissionResult(outcome, AvailableMicros: (long)result[1]),
            AdmissionOutcome.Backlogged => new AdmissionResult(outcome, Backlog: (long)result[1]),
            _ => new AdmissionResult(outcome),
        };
    }

    /// <summary>Releases the hold, debits the cost, corrects the token windows and appends the event, atomically.
    /// Returns null when the hold had already been settled as abandoned (then nothing changes).</summary>
    public async Task<LiveWallet?> SettleAsync(string tenantId, string holdId, long costMicros, long tokenDelta, DateTimeOffset admittedAt, RedisValue eventJson, string model = "", long tierTokens = 0)
    {
        var keys = WalletKeys.For(tenantId);
        var window = QuotaWindow.At(admittedAt); // the windows the reservation was counted in
        var result = (RedisResult[])(await WalletScripts.Settle.RunAsync(
            Db,
            keys.Scripts.Settle(keys, window),
            [holdId, costMicros, tokenDelta, eventJson, keys.ExpiringMember(holdId), model, tierTokens]))!;
        return (long)result[2] == 1 ? new LiveWallet((long)result[0], (long)result[1], 0) : null;
    }

    /// <summary>Expired holds of one shard: (tenant, hold id), oldest first.</summary>
    public async Task<IReadOnlyList<(string TenantId, string HoldId)>> ExpiredAsync(int shard, DateTimeOffset now, int count)
    {
        var members = await Db.SortedSetRangeByScoreAsync(WalletKeys.ExpiringOfShard(shard), double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: count);
        var expired = new List<(string, string)>(members.Length);
        foreach (var member in members)
        {
            var text = (string)member!;
            var split = text.IndexOf('\n', StringComparison.Ordinal);
            if (split > 0)
            {
                expired.Add((text[..split], text[(split + 1)..]));
            }
        }

        return expired;
    }

    /// <summary>Settles an expired hold as abandoned; true when this call did it.</summary>
    public async Task<bool> AbandonAsync(string tenantId, string holdId, DateTimeOffset now)
    {
        var keys = WalletKeys.For(tenantId);
        return (int)await WalletScripts.Abandon.RunAsync(
            Db,
            [keys.Wallet, keys.Holds, keys.HoldEvents, keys.Expiring, keys.Abandoned, keys.Stream],
            [holdId, keys.ExpiringMember(holdId), now.ToUnixTimeMilliseconds()]) == 1;
    }

    /// <summary>Creates the wallet from a ledger snapshot unless it exists; true when created.</summary>
    public async Task<bool> RebuildAsync(string tenantId, long balanceMicros, string status, TenantLimits limits, IReadOnlyList<string> entries)
    {
        var keys = WalletKeys.For(tenantId);
        RedisValue[] values =
        [
            balanceMicros, status, limits.RequestsPerMinute ?? -1, limits.TokensPerMinute ?? -1,
            limits.TokensPerDay ?? -1, limits.TokensPerMonth ?? -1, .. entries.Select(id => (RedisValue)id),
        ];
        return (int)await WalletScripts.Rebuild.RunAsync(Db, [keys.Wallet, keys.AppliedCredits], values) == 1;
    }

    /// <summary>-1: no wallet; 1: added now; 0: added before.</summary>
    public async Task<int> CreditAsync(string tenantId, long creditId, long micros)
    {
        var keys = WalletKeys.For(tenantId);
        return (int)await WalletScripts.Credit.RunAsync(Db, [keys.Wallet, keys.AppliedCredits], [creditId, micros]);
    }

    /// <summary>Applies a ledger adjustment to the live balance once. -1: no wallet; 1: applied now; 0: before.</summary>
    public async Task<int> AdjustAsync(string tenantId, long adjustmentId, long micros)
    {
        var keys = WalletKeys.For(tenantId);
        return (int)await WalletScripts.Credit.RunAsync(Db, [keys.Wallet, keys.AppliedCredits], [WalletLedger.AdjustmentMember(adjustmentId), micros]);
    }

    public async Task ConfigureAsync(string tenantId, TenantLimits limits)
    {
        var keys = WalletKeys.For(tenantId);
        await WalletScripts.Configure.RunAsync(
            Db,
            [keys.Wallet],
            ["rpm", limits.RequestsPerMinute ?? -1, "tpm", limits.TokensPerMinute ?? -1, "tpd", limits.TokensPerDay ?? -1, "tpmo", limits.TokensPerMonth ?? -1]);
    }

    /// <summary>Balance, held and the (event id, cost) of the tenant's events still in its stream, atomically.</summary>
    public async Task<(LiveWallet Wallet, IReadOnlyList<(Guid EventId, long CostMicros)> Unflushed)?> SnapshotAsync(string tenantId)
    {
        var keys = WalletKeys.For(tenantId);
        var result = (RedisResult[])(await WalletScripts.Snapshot.RunAsync(Db, [keys.Wallet, keys.Stream], [tenantId]))!;
        if (result.Length == 0)
        {
            return null;
        }

        var unflushed = new List<(Guid, long)>();
        for (var i = 2; i + 1 < result.Length; i += 2)
        {
            if (Guid.TryParse((string?)result[i], out var id))
            {
                unflushed.Add((id, (long)result[i + 1]));
            }
        }

        return (new LiveWallet((long)result[0], (long)result[1], 0), unflushed);
    }

    public async Task<LiveWallet?> ReadAsync(string tenantId, DateTimeOffset now)
    {
        var keys = WalletKeys.For(tenantId);
        _ = now;
        var result = (RedisResult[])(await WalletScripts.Read.RunAsync(Db, [keys.Wallet]))!;
        return result.Length == 0 ? null : new LiveWallet((long)result[0], (long)result[1], (long)result[2]);
    }
}
