using Gateway.Metering.Quotas;
using StackExchange.Redis;

namespace Gateway.Metering.Wallets;

/// <summary>
/// The key arrays of a tenant's admission and settle scripts, kept for the current minute (its day and month follow
/// from it) so a request does not build ten key strings and an array twice. The arrays are never changed once made:
/// concurrent calls may share one. Two threads that see a new minute at once both build it; either result is right.
/// </summary>
internal sealed class ScriptKeys
{
    private Entry? _admit;
    private Entry? _settle;

    public RedisKey[] Admit(in WalletKeys keys, QuotaWindow window)
    {
        var entry = Volatile.Read(ref _admit);
        if (entry is null || entry.Minute != window.Minute)
        {
            entry = new Entry(window.Minute, [keys.Wallet, keys.Holds, keys.HoldEvents, keys.Requests(window.Minute), keys.TokensPerMinute(window.Minute), keys.TokensPerDay(window.Day), keys.TokensPerMonth(window.Month), keys.Stream, keys.Expiring, keys.MonthTokens(window.Month)]);
            Volatile.Write(ref _admit, entry);
        }

        return entry.Keys;
    }

    public RedisKey[] Settle(in WalletKeys keys, QuotaWindow window)
    {
        var entry = Volatile.Read(ref _settle);
        if (entry is null || entry.Minute != window.Minute)
        {
            entry = new Entry(window.Minute, [keys.Wallet, keys.Holds, keys.HoldEvents, keys.Expiring, keys.Abandoned, keys.TokensPerMinute(window.Minute), keys.TokensPerDay(window.Day), keys.TokensPerMonth(window.Month), keys.Stream, keys.MonthTokens(window.Month)]);
            Volatile.Write(ref _settle, entry);
        }

        return entry.Keys;
    }

    private sealed record Entry(long Minute, RedisKey[] Keys);
}
