using Gateway.Metering.Quotas;
using Gateway.Metering.Wallets;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Wallets;

/// <summary>The Lua scripts against the real Redis.</summary>
public sealed class WalletScriptTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-27T10:00:30Z");
    private ConnectionMultiplexer _redis = null!;
    private WalletStore _wallets = null!;

    public async Task InitializeAsync()
    {
        // A database of their own: no gateway flusher of another test drains the streams these tests read.
        _redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisDatabase(11));
        _wallets = new WalletStore(_redis);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Admit_NoWallet_SaysSoAndChangesNothing()
    {
        var result = await _wallets.AdmitAsync(TestServices.NewTenantId(), "h1", 10, 10, Now, TimeSpan.FromMinutes(1));

        Assert.Equal(AdmissionOutcome.NoWallet, result.Outcome);
    }

    [Fact]
    public async Task AdmitThenSettle_MovesMoneyFromHeldToSpentAndAppendsOneEvent()
    {
        var tenant = await NewWalletAsync(1_000);
        var stream = WalletKeys.For(tenant).Stream;
        var before = await _redis.GetDatabase().StreamLengthAsync(stream);

        var admitted = await _wallets.AdmitAsync(tenant, "h1", 600, 50, Now, TimeSpan.FromMinutes(1));
        var refused = await _wallets.AdmitAsync(tenant, "h2", 600, 50, Now, TimeSpan.FromMinutes(1));
        var settled = await _wallets.SettleAsync(tenant, "h1", 250, -20, Now, "{\"event_id\":\"x\"}");

        Assert.Equal(AdmissionOutcome.Admitted, admitted.Outcome);
        Assert.Equal(400, admitted.AvailableMicros);
        Assert.Equal(AdmissionOutcome.InsufficientBalance, refused.Outcome);
        Assert.Equal(400, refused.AvailableMicros);
        Assert.Equal(new LiveWallet(750, 0, 0), settled!.Value);
        Assert.True(await _redis.GetDatabase().StreamLengthAsync(stream) >= before + 1);
    }

    [Fact]
    public async Task Admit_Windows_RefuseTheOneThatIsFullAndCountTheReservation()
    {
        var tenant = await NewWalletAsync(1_000_000, new TenantLimits(RequestsPerMinute: 2, TokensPerMinute: 100, TokensPerDay: null, TokensPerMonth: null));

        var first = await _wallets.AdmitAsync(tenant, "a", 1, 60, Now, TimeSpan.FromMinutes(1));
        var tokensFull = await _wallets.AdmitAsync(tenant, "b", 1, 60, Now, TimeSpan.FromMinutes(1));
        await _wallets.SettleAsync(tenant, "a", 1, -50, Now, "{}"); // used 10 of the 60 reserved
        var second = await _wallets.AdmitAsync(tenant, "c", 1, 60, Now, TimeSpan.FromMinutes(1));
        var requestsFull = await _wallets.AdmitAsync(tenant, "d", 1, 1, Now, TimeSpan.FromMinutes(1));
        var nextMinute = await _wallets.AdmitAsync(tenant, "e", 1, 1, Now.AddMinutes(1), TimeSpan.FromMinutes(1));

        Assert.Equal((AdmissionOutcome.Admitted, 2L, 1L, 100L, 40L), (first.Outcome, first.RequestLimit, first.RequestsLeft, first.TokenLimit, first.TokensLeft));
        Assert.Equal((AdmissionOutcome.WindowFull, 2), (tokensFull.Outcome, tokensFull.Window));
        Assert.Equal(AdmissionOutcome.Admitted, second.Outcome);
        Assert.Equal(30, second.TokensLeft);
        Assert.Equal((AdmissionOutcome.WindowFull, 1), (requestsFull.Outcome, requestsFull.Window));
        Assert.Equal(AdmissionOutcome.Admitted, nextMinute.Outcome);
    }

    [Fact]
    public async Task FreeRequest_ZeroHold_SettlesAndAbandonsInRedis()
    {
        // A zero hold once made the scripts pass "-0" to HINCRBY: every free request's settle failed over to Postgres.
        var tenant = await NewWalletAsync(1_000);
        var stream = WalletKeys.For(tenant).Stream;
        var before = await _redis.GetDatabase().StreamLengthAsync(stream);

        await _wallets.AdmitAsync(tenant, "free", 0, 10, Now, TimeSpan.FromSeconds(5));
        var settled = await _wallets.SettleAsync(tenant, "free", 0, 0, Now, "{}");
        await _wallets.AdmitAsync(tenant, "free-dead", 0, 10, Now, TimeSpan.FromSeconds(5), abandonedEventJson: "{\"cost_micros\":0}");
        var abandoned = await _wallets.AbandonAsync(tenant, "free-dead", Now.AddSeconds(6));

        Assert.Equal(new LiveWallet(1_000, 0, 0), settled!.Value);
        Assert.True(abandoned);
        Assert.Equal(before + 2, await _redis.GetDatabase().StreamLengthAsync(stream));
    }

    [Fact]
    public async Task Sweep_ExpiredHold_AbandonedWithItsEstimateBilled_LateSettleChangesNothing()
    {
        var tenant = await NewWalletAsync(1_000);
        var keys = WalletKeys.For(tenant);
        var db = _redis.GetDatabase();
        var streamBefore = await db.StreamLengthAsync(keys.Stream);
        const string abandoned = """{"event_id":"00000000-0000-7000-8000-000000000001","status":"abandoned","cost_micros":40}""";
        await _wallets.AdmitAsync(tenant, "dead", 900, 1, Now, TimeSpan.FromSeconds(5), abandonedEventJson: abandoned);

        var blocked = await _wallets.AdmitAsync(tenant, "x", 200, 1, Now.AddSeconds(1), TimeSpan.FromSeconds(5));
        var notYet = await _wallets.ExpiredAsync(WalletKeys.ShardOf(tenant), Now.AddSeconds(4), 1000);
        var expired = await _wallets.ExpiredAsync(WalletKeys.ShardOf(tenant), Now.AddSeconds(6), 1000);
        var first = await _wallets.AbandonAsync(tenant, "dead", Now.AddSeconds(6));
        var second = await _wallets.AbandonAsync(tenant, "dead", Now.AddSeconds(6));
        var late = await _wallets.SettleAsync(tenant, "dead", 300, 0, Now, "{}");
        var wallet = await _wallets.ReadAsync(tenant, Now.AddSeconds(7));

        Assert.Equal(AdmissionOutcome.InsufficientBalance, blocked.Outcome);
        Assert.DoesNotContain((tenant, "dead"), notYet);
        Assert.Contains((tenant, "dead"), expired);
        Assert.True(first);
        Assert.False(second);
        Assert.Null(late);
        Assert.Equal(new LiveWallet(960, 0, 1), wallet);
        var entries = await db.StreamRangeAsync(keys.Stream);
        Assert.Equal(abandoned, (string?)entries.Last()["e"]);
        Assert.Equal(streamBefore + 1, await db.StreamLengthAsync(keys.Stream));
    }

    [Fact]
    public async Task Sweep_HoldSettledInTime_IsNotAbandoned()
    {
        var tenant = await NewWalletAsync(1_000);
        await _wallets.AdmitAsync(tenant, "ok", 500, 1, Now, TimeSpan.FromSeconds(5), abandonedEventJson: """{"cost_micros":40}""");
        await _wallets.SettleAsync(tenant, "ok", 100, 0, Now, "{}");

        Assert.DoesNotContain((tenant, "ok"), await _wallets.ExpiredAsync(WalletKeys.ShardOf(tenant), Now.AddMinutes(1), 1000));
        Assert.False(await _wallets.AbandonAsync(tenant, "ok", Now.AddMinutes(1)));
        Assert.Equal(new LiveWallet(900, 0, 0), await _wallets.ReadAsync(tenant, Now));
    }

    [Fact]
    public async Task AdmitThenSettle_AfterRedisForgetsItsScripts_EachRunsOnceAndIsKnownByItsHashAgain()
    {
        // Scripts run by their hash (EVALSHA). Redis forgets them on a restart, a fail-over or SCRIPT FLUSH: the
        // NOSCRIPT reply means nothing ran, so the text is sent once more; money moves exactly once.
        var tenant = await NewWalletAsync(1_000);
        await using var admin = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisDatabase(11) + ",allowAdmin=true");
        var server = admin.GetServers()[0];
        await server.ScriptFlushAsync();

        var admitted = await _wallets.AdmitAsync(tenant, "h1", 600, 50, Now, TimeSpan.FromMinutes(1));
        var settled = await _wallets.SettleAsync(tenant, "h1", 250, -20, Now, "{}");

        Assert.Equal(AdmissionOutcome.Admitted, admitted.Outcome);
        Assert.Equal(400, admitted.AvailableMicros);
        Assert.Equal(new LiveWallet(750, 0, 0), settled!.Value);
        Assert.Equal(new LiveWallet(750, 0, 0), await _wallets.ReadAsync(tenant, Now));
        // The hashes the gateway sends are the ones Redis computed from the texts: the next calls need no resend.
        Assert.True(await server.ScriptExistsAsync(WalletScripts.Admit.Hash));
        Assert.True(await server.ScriptExistsAsync(WalletScripts.Settle.Hash));
    }

    [Fact]
    public async Task Credit_AppliedOnceEvenWhenRebuildRaces()
    {
        var tenant = TestServices.NewTenantId();

        Assert.Equal(-1, await _wallets.CreditAsync(tenant, 41, 500)); // no wallet yet
        Assert.True(await _wallets.RebuildAsync(tenant, 500, "active", TenantLimits.Unlimited, ["41"]));
        Assert.False(await _wallets.RebuildAsync(tenant, 999, "active", TenantLimits.Unlimited, ["41"]));
        Assert.Equal(0, await _wallets.CreditAsync(tenant, 41, 500));
        Assert.Equal(1, await _wallets.CreditAsync(tenant, 42, 250));
        Assert.Equal(0, await _wallets.CreditAsync(tenant, 42, 250));

        Assert.Equal(750, (await _wallets.ReadAsync(tenant, Now))!.Value.BalanceMicros);
    }

    [Fact]
    public async Task Credit_BalanceWouldOverflow_RefusedAndNotMarkedApplied()
    {
        var tenant = await NewWalletAsync(9_000_000_000_000_000_000);

        Assert.Equal(-2, await _wallets.CreditAsync(tenant, 43, 500_000_000_000_000_000));

        Assert.Equal(9_000_000_000_000_000_000, (await _wallets.ReadAsync(tenant, Now))!.Value.BalanceMicros);
        Assert.False(await _redis.GetDatabase().SetContainsAsync(WalletKeys.For(tenant).AppliedCredits, "43"));
        Assert.Equal(1, await _wallets.CreditAsync(tenant, 44, -1_000_000)); // what fits still applies
    }

    [Fact]
    public async Task Admit_InactiveTenant_Refused()
    {
        var tenant = TestServices.NewTenantId();
        await _wallets.RebuildAsync(tenant, 1_000, "suspended", TenantLimits.Unlimited, []);

        Assert.Equal(AdmissionOutcome.TenantInactive, (await _wallets.AdmitAsync(tenant, "h", 1, 1, Now, TimeSpan.FromMinutes(1))).Outcome);
    }

    [Fact]
    public void Keys_OfOneTenant_ShareOneHashTagWithItsStream()
    {
        var keys = WalletKeys.For("acme");
        var all = new[] { keys.Wallet, keys.Holds, keys.HoldEvents, keys.Abandoned, keys.Expiring, keys.AppliedCredits, keys.Requests(1), keys.TokensPerMinute(1), keys.TokensPerDay("20261127"), keys.TokensPerMonth("202611"), keys.Stream };

        Assert.All(all, k => Assert.StartsWith(keys.Tag + ":", k.ToString()));
        Assert.Equal(WalletKeys.StreamOfShard(WalletKeys.ShardOf("acme")), keys.Stream);
    }

    private async Task<string> NewWalletAsync(long balance, TenantLimits? limits = null)
    {
        var tenant = TestServices.NewTenantId();
        Assert.True(await _wallets.RebuildAsync(tenant, balance, "active", limits ?? TenantLimits.Unlimited, []));
        return tenant;
    }
}
