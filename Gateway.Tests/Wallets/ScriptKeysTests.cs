using Gateway.Metering.Quotas;
using Gateway.Metering.Wallets;
using StackExchange.Redis;

namespace Gateway.Tests.Wallets;

public sealed class ScriptKeysTests
{
    private static readonly DateTimeOffset LastMinuteOfMonth = new(2026, 11, 30, 23, 59, 10, TimeSpan.Zero);

    [Fact]
    public void Admit_SameMinute_OneArrayWithThatMinutesWindows()
    {
        var keys = WalletKeys.For("script-keys-" + Guid.NewGuid().ToString("N"));
        var first = keys.Scripts.Admit(keys, QuotaWindow.At(LastMinuteOfMonth));
        var again = keys.Scripts.Admit(keys, QuotaWindow.At(LastMinuteOfMonth.AddSeconds(40)));

        Assert.Same(first, again);
        var minute = LastMinuteOfMonth.ToUnixTimeMilliseconds() / 60_000;
        Assert.Equal<RedisKey>(
            [keys.Wallet, keys.Holds, keys.HoldEvents, keys.Requests(minute), keys.TokensPerMinute(minute), keys.TokensPerDay("20261130"), keys.TokensPerMonth("202611"), keys.Stream, keys.Expiring, keys.MonthTokens("202611")],
            first);
    }

    [Fact]
    public void Admit_NextMinuteAcrossTheMonth_NewKeys()
    {
        var keys = WalletKeys.For("script-keys-" + Guid.NewGuid().ToString("N"));
        var before = keys.Scripts.Admit(keys, QuotaWindow.At(LastMinuteOfMonth));
        var after = keys.Scripts.Admit(keys, QuotaWindow.At(LastMinuteOfMonth.AddMinutes(1)));

        Assert.NotSame(before, after);
        var minute = LastMinuteOfMonth.AddMinutes(1).ToUnixTimeMilliseconds() / 60_000;
        Assert.Equal(keys.Requests(minute), after[3]);
        Assert.Equal(keys.TokensPerDay("20261201"), after[5]);
        Assert.Equal(keys.TokensPerMonth("202612"), after[6]);
        Assert.Equal(keys.MonthTokens("202612"), after[9]);
    }

    [Fact]
    public void Settle_UsesTheWindowItIsGiven_NotAdmissions()
    {
        var keys = WalletKeys.For("script-keys-" + Guid.NewGuid().ToString("N"));
        _ = keys.Scripts.Admit(keys, QuotaWindow.At(LastMinuteOfMonth.AddMinutes(1)));
        var settle = keys.Scripts.Settle(keys, QuotaWindow.At(LastMinuteOfMonth)); // admitted in the month before

        var minute = LastMinuteOfMonth.ToUnixTimeMilliseconds() / 60_000;
        Assert.Equal<RedisKey>(
            [keys.Wallet, keys.Holds, keys.HoldEvents, keys.Expiring, keys.Abandoned, keys.TokensPerMinute(minute), keys.TokensPerDay("20261130"), keys.TokensPerMonth("202611"), keys.Stream, keys.MonthTokens("202611")],
            settle);
    }

    [Fact]
    public void QuotaWindow_DayNamesFollowTheDate()
    {
        Assert.Equal(("20261130", "202611"), (QuotaWindow.At(LastMinuteOfMonth).Day, QuotaWindow.At(LastMinuteOfMonth).Month));
        Assert.Equal(("20261201", "202612"), (QuotaWindow.At(LastMinuteOfMonth.AddMinutes(1)).Day, QuotaWindow.At(LastMinuteOfMonth.AddMinutes(1)).Month));
        Assert.Equal(("20261130", "202611"), (QuotaWindow.At(LastMinuteOfMonth).Day, QuotaWindow.At(LastMinuteOfMonth).Month));
    }
}
