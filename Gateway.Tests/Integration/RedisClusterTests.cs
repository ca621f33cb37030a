using System.Net;
using System.Text;
using Gateway.Metering.Quotas;
using Gateway.Metering.Wallets;
using Gateway.Tests.Functional;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Integration;

/// <summary>
/// The same scripts on a real three-node Redis Cluster (issue #4): every tenant's keys and its event stream share one
/// hash tag, so no script is refused with CROSSSLOT, whichever node owns the tenant; and the whole gateway runs on it.
/// </summary>
public sealed class RedisClusterTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-27T10:00:30Z");

    [Fact]
    public async Task Scripts_TenantsOnEveryNode_RunWithoutCrossSlotErrors()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisCluster);
        var wallets = new WalletStore(redis);
        var nodes = new HashSet<string>();
        for (var i = 0; i < 48; i++)
        {
            var tenant = TestServices.NewTenantId();
            var keys = WalletKeys.For(tenant);
            nodes.Add(redis.GetServer(redis.GetDatabase().IdentifyEndpoint(keys.Wallet)!).EndPoint.ToString()!);

            Assert.True(await wallets.RebuildAsync(tenant, 1_000, "active", new TenantLimits(10, 1_000, 10_000, null), ["1"]));
            Assert.Equal(1, await wallets.CreditAsync(tenant, 2, 500));
            var admitted = await wallets.AdmitAsync(tenant, "h", 300, 100, Now, TimeSpan.FromMinutes(1));
            var settled = await wallets.SettleAsync(tenant, "h", 120, -40, Now, "{}");
            var read = await wallets.ReadAsync(tenant, Now);

            Assert.Equal(AdmissionOutcome.Admitted, admitted.Outcome);
            Assert.Equal(new LiveWallet(1_380, 0, 0), settled!.Value);
            Assert.Equal(1_380, read!.Value.BalanceMicros);
        }

        Assert.Equal(3, nodes.Count); // the tenants really were spread over all three nodes
    }

    [Fact]
    public async Task Gateway_OnCluster_AdmitsSettlesAndRecords()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = TestServices.RedisCluster });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var tenants = new List<(string Tenant, string Key)>();
        for (var i = 0; i < 6; i++)
        {
            var (tenant, key, _) = await gateway.NewTenantAsync(credit: 1m);
            tenants.Add((tenant, key));
        }

        foreach (var (tenant, key) in tenants)
        {
            using var client = gateway.Client(key);
            var plain = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"sim-1","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            var streamed = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"sim-1","max_tokens":3,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
            Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);

            var events = await gateway.EventsAsync(tenant, 2);
            var wallet = await gateway.WalletAsync(tenant);
            Assert.Equal(1m - (events.Sum(e => e.GetProperty("cost_micros").GetInt64()) / 1_000_000m), wallet.GetProperty("balance").GetDecimal());
            Assert.All(events, e => Assert.Equal("checked", e.GetProperty("admission").GetString()));
        }
    }
}
