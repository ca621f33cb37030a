using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Metering.Events;
using Gateway.Metering.Wallets;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Functional;

/// <summary>Nothing counted twice, and the live wallet agrees with the ledger (issue #4).</summary>
public sealed class DurablePathTests
{
    [Fact]
    public async Task EveryStreamEntryDeliveredThreeTimes_LedgerDoesNotChange_DriftIsZero()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = TestServices.RedisDatabase(8) });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync(credit: 2m);
        using (var client = gateway.Client(key))
        {
            for (var i = 0; i < 5; i++)
            {
                var response = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"sim-1","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var events = await gateway.EventsAsync(tenant, 5);
        var before = await ReconcileAsync(gateway, tenant);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisDatabase(8));
        var stream = WalletKeys.For(tenant).Stream;
        foreach (var e in events)
        {
            var json = JsonSerializer.Serialize(JsonSerializer.Deserialize(e.GetRawText(), EventJsonContext.Default.MeteringEvent)!, EventJsonContext.Default.MeteringEvent);
            for (var copy = 0; copy < 3; copy++)
            {
                await redis.GetDatabase().StreamAddAsync(stream, "e", json);
            }
        }

        for (var i = 0; i < 100 && await redis.GetDatabase().StreamLengthAsync(stream) > 0; i++)
        {
            await Task.Delay(50); // the flusher writes the copies (and ignores them) and acknowledges
        }

        Assert.Equal(0, await redis.GetDatabase().StreamLengthAsync(stream));
        await gateway.EventsAsync(tenant, 5);
        var after = await ReconcileAsync(gateway, tenant);
        Assert.Equal(before.GetProperty("ledger_balance").GetDecimal(), after.GetProperty("ledger_balance").GetDecimal());
        Assert.Equal(0, after.GetProperty("drift_micros").GetInt64());
        Assert.Equal(2m - (events.Sum(e => e.GetProperty("cost_micros").GetInt64()) / 1_000_000m), after.GetProperty("redis_balance").GetDecimal());
        var all = await gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/reconciliation");
        Assert.Contains(all.GetProperty("data").EnumerateArray(), r => r.GetProperty("tenant_id").GetString() == tenant && r.GetProperty("drift_micros").GetInt64() == 0);
    }

    [Fact]
    public async Task Reconcile_EventsStillInTheStream_CountedOnceDriftZero()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = TestServices.RedisDatabase(9),
            ["Sink:FlushInterval"] = "00:00:30", // nothing reaches Postgres during the test
            ["Sink:BatchSize"] = "100000",
        };
        await using var gateway = await GatewayHost.StartAsync(settings);
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync(credit: 1m);
        using var client = gateway.Client(key);
        await Task.Delay(300); // the flusher has polled once and is now waiting out its interval
        for (var i = 0; i < 3; i++)
        {
            await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"sim-1","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        }

        await Task.Delay(200); // settles run after the responses
        var result = await ReconcileAsync(gateway, tenant);

        Assert.Equal(0, result.GetProperty("drift_micros").GetInt64());
        Assert.True(result.GetProperty("redis_balance").GetDecimal() < 1m);
        Assert.Equal(1m, result.GetProperty("ledger_balance").GetDecimal()); // nothing in Postgres yet
        Assert.True(result.GetProperty("unflushed_events").GetInt32() >= 1);
    }

    private static async Task<JsonElement> ReconcileAsync(GatewayHost gateway, string tenant)
        => await gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation");
}

/// <summary>Redis restarted empty mid-run (issue #4): detected by the epoch marker, seeded again from Postgres.</summary>
public sealed class RedisLossTests
{
    [Fact]
    public async Task RedisEmptiedMidRun_KeysPricesAndWalletRebuilt_DriftZero()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = TestServices.RedisDatabase(10) });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync(credit: 3m);
        using var client = gateway.Client(key);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", Body())).StatusCode);
        }

        await gateway.EventsAsync(tenant, 3); // written to Postgres: the ledger has them
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisDatabase(10) + ",allowAdmin=true"))
        {
            await redis.GetDatabase().ExecuteAsync("FLUSHDB");
        }

        var recovered = false;
        for (var i = 0; i < 50 && !recovered; i++)
        {
            recovered = (await client.PostAsync("/v1/chat/completions", Body())).StatusCode == HttpStatusCode.OK;
            if (!recovered)
            {
                await Task.Delay(100);
            }
        }

        Assert.True(recovered, "requests were not served again after Redis lost its data");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", Body())).StatusCode);
        var events = await gateway.EventsAsync(tenant, 5);
        var reconciliation = await gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation");
        Assert.Equal(0, reconciliation.GetProperty("drift_micros").GetInt64());
        Assert.Equal(3m - (events.Sum(e => e.GetProperty("cost_micros").GetInt64()) / 1_000_000m), (await gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
    }

    private static StringContent Body() => new("""{"model":"sim-1","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");
}
