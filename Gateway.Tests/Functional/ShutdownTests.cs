using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Metering.Wallets;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using StackExchange.Redis;

namespace Gateway.Tests.Functional;

/// <summary>
/// SIGTERM to a real gateway process mid-stream: it stops accepting, lets the stream finish (or cuts it at
/// Shutdown:Timeout), settles it and drains its event to Postgres before exiting. Each process has a Redis database
/// of its own, so no other gateway could have drained the event for it.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ShutdownTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Sigterm_MidStream_StopsAcceptingFinishesTheStreamAndDrainsItsEvent()
    {
        using var gateway = await StartAsync(database: 12, timeout: "00:00:30");
        var (tenant, key) = await NewTenantAsync(gateway);
        using var client = Client(gateway, key);
        using var response = await client.SendAsync(Stream(maxTokens: 25), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data:", await reader.ReadLineAsync(), StringComparison.Ordinal);

        gateway.Terminate();
        await Task.Delay(300);
        var refused = await Record.ExceptionAsync(() => new HttpClient().GetAsync(gateway.BaseUrl + "/healthz"));
        var rest = await reader.ReadToEndAsync();
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.IsType<HttpRequestException>(refused); // no new connection once stopping
        Assert.Contains("data: [DONE]", rest, StringComparison.Ordinal);
        Assert.Equal(0, gateway.ExitCode);
        Assert.Equal(0, await BacklogAsync(12));
        var e = (await fixture.Simulated.EventsAsync(tenant, 1))[0];
        Assert.Equal(("completed", 25L, true), (e.GetProperty("status").GetString(), e.GetProperty("output_tokens").GetInt64(), e.GetProperty("streamed").GetBoolean()));
        Assert.Contains(gateway.Output, l => l.Contains("Stopping: no new connections", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_StreamOutlastsTheTimeout_CutSettledAsCancelledAndDrained()
    {
        // The provider is its own server here, as in production. The built-in simulator (the other test's upstream)
        // lives in the gateway's Kestrel, which cuts both of its ends at the timeout: which cut the proxy noticed first
        // (the client's or the upstream's) then depends on the order Kestrel aborts connections in.
        await using var provider = await Gateway.GatewayApp.CreateAsync(["--simulator", "--urls", "http://127.0.0.1:0"],
            b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Simulator:ChunkDelay"] = "00:00:00.080" }));
        await provider.StartAsync();
        using var gateway = await StartAsync(database: 13, timeout: "00:00:01", new Dictionary<string, string>
        {
            ["Providers:openai:Kind"] = "simulated",
            ["Providers:openai:BaseUrl"] = provider.Urls.First() + "/v1",
        });
        var (tenant, key) = await NewTenantAsync(gateway);
        using var client = Client(gateway, key);
        using var response = await client.SendAsync(Stream(maxTokens: 200), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data:", await reader.ReadLineAsync(), StringComparison.Ordinal);
        var stopped = DateTime.UtcNow;

        gateway.Terminate();
        string rest;
        try
        {
            rest = await reader.ReadToEndAsync();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            rest = ""; // the connection was cut
        }

        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.DoesNotContain("[DONE]", rest, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(15), "cut at the shutdown timeout, not at the stream's end");
        Assert.Equal(0, gateway.ExitCode);
        Assert.Equal(0, await BacklogAsync(13));
        var e = (await fixture.Simulated.EventsAsync(tenant, 1))[0];
        Assert.Equal("client_cancelled", e.GetProperty("status").GetString());
        Assert.True(e.GetProperty("billable").GetBoolean());
        Assert.InRange(e.GetProperty("output_tokens").GetInt64(), 1, 199); // what was delivered before the cut
    }

    private static Task<GatewayProcess> StartAsync(int database, string timeout, Dictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.RedisDatabase(database),
            ["Shutdown:Timeout"] = timeout,
            ["Simulator:ChunkDelay"] = "00:00:00.080",
            ["Admission:AllowUnpricedModels"] = "true",
            ["Logging:LogLevel:Default"] = "Information",
        };
        foreach (var (name, value) in more ?? [])
        {
            settings[name] = value;
        }

        return GatewayProcess.StartAsync(settings);
    }

    private static async Task<(string Tenant, string Key)> NewTenantAsync(GatewayProcess gateway)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TestServices.AdminToken);
        var tenant = TestServices.NewTenantId("stop");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/admin/tenants", new { id = tenant })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 10m, idempotency_key = "seed" })).StatusCode);
        var key = await (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "stop" })).Content.ReadFromJsonAsync<JsonElement>();
        return (tenant, key.GetProperty("key").GetString()!);
    }

    private static HttpClient Client(GatewayProcess gateway, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private static HttpRequestMessage Stream(int maxTokens) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = JsonContent.Create(new { model = "sim-1", stream = true, max_tokens = maxTokens, messages = new[] { new { role = "user", content = "Keep talking." } } }),
    };

    /// <summary>Events still in that database's streams: 0 once the stopped gateway drained them.</summary>
    private static async Task<long> BacklogAsync(int database)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisDatabase(database));
        var db = redis.GetDatabase();
        long total = 0;
        for (var shard = 0; shard < WalletKeys.Shards; shard++)
        {
            total += await db.StreamLengthAsync(WalletKeys.StreamOfShard(shard));
        }

        return total;
    }
}
