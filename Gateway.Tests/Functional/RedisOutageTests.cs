using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Redis unreachable (cut by a TCP gate in front of the real one): refuse with 503, or fail open if told.</summary>
public sealed class RedisOutageTests
{
    private const string Body = """{"model":"sim-1","max_tokens":2,"messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task RedisDown_Refused503MeteringUnavailable()
    {
        await using var gate = Gate();
        await using var gateway = await StartAsync(gate, failOpen: false);
        var (_, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", Json())).StatusCode);

        gate.Close();
        var response = await client.PostAsync("/v1/chat/completions", Json());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "metering_unavailable");
    }

    [Fact]
    public async Task RedisDown_FailOpen_ForwardedAndRecordedAsBypassed()
    {
        await using var gate = Gate();
        await using var gateway = await StartAsync(gate, failOpen: true);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", Json())).StatusCode); // the key is cached now

        gate.Close();
        var response = await client.PostAsync("/v1/chat/completions", Json());
        gate.Open();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await gateway.EventsAsync(tenant, 2, TimeSpan.FromSeconds(20));
        var bypassed = Assert.Single(events, e => e.GetProperty("admission").GetString() == "bypassed");
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), bypassed.GetProperty("event_id").GetString());
        Assert.Equal("provider", bypassed.GetProperty("usage_source").GetString());
        Assert.True(bypassed.GetProperty("cost_micros").GetInt64() > 0); // rated all the same, in the ledger
    }

    private static TcpGate Gate()
    {
        var endpoint = TestServices.Redis.Split(',')[0].Split(':');
        return new TcpGate(endpoint[0], int.Parse(endpoint[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<GatewayHost> StartAsync(TcpGate gate, bool failOpen)
    {
        var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{gate.Port},defaultDatabase=1,asyncTimeout=500,syncTimeout=2000,connectTimeout=3000",
            ["Admission:FailOpen"] = failOpen ? "true" : "false",
            ["Auth:KeyCacheTtl"] = "00:00:01",
        });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        return gateway;
    }

    private static StringContent Json() => new(Body, Encoding.UTF8, "application/json");
}
