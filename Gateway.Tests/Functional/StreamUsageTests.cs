using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Streams where the client did not ask for usage: the gateway asks for it, meters it, and hides it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class StreamUsageTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Stream_ClientWithoutIncludeUsage_SeesNoUsageButEventHasProviderUsage()
    {
        var gateway = fixture.Simulated;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var response = await client.PostAsync("/v1/chat/completions", Json("""{"model":"sim-1","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"count"}]}"""));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("usage", body);
        Assert.DoesNotContain("\"choices\":[]", body);
        Assert.EndsWith("data: [DONE]\n\n", body);
        Assert.Equal(8, body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length); // role, 5 words, finish, [DONE]
        var e = Assert.Single(await gateway.EventsAsync(tenant, 1));
        Assert.Equal(5, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal("provider", e.GetProperty("usage_source").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), e.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task Stream_UpstreamReceivesIncludeUsage_AndNotTheClientKey()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        using var client = fixture.Replay.Client(key);
        var marker = "03_openai_chat_stream_no_usage#" + tenant;
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json("""{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hi"}]}"""),
        };
        request.Headers.Add("X-Fixture", marker);
        request.Headers.Add("X-Meter-Feature", "search");

        var response = await client.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        var received = fixture.Upstream.Requests.Single(r => r.Headers.GetValueOrDefault("X-Fixture") == marker);
        Assert.True(received.Json().GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("Bearer sk-provider-secret", received.Headers["Authorization"]);
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(received.Headers.Keys, h => h.StartsWith("X-Meter-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("/v1/chat/completions", received.PathAndQuery);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}

/// <summary>Legacy <c>/v1/completions</c> (no client in the .NET SDK 2.x): plain and streamed, metered exactly.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LegacyCompletionsTests(GatewayFixture fixture)
{
    [Fact]
    public async Task Completions_PlainAndStreamed_MeteredFromTheUsageBlock()
    {
        var gateway = fixture.Simulated;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var plain = await client.PostAsync("/v1/completions", new StringContent("""{"model":"sim-1","prompt":"Say this is a test","max_tokens":6}""", Encoding.UTF8, "application/json"));
        var streamed = await client.PostAsync("/v1/completions", new StringContent("""{"model":"sim-1","prompt":"Say this is a test","max_tokens":4,"stream":true}""", Encoding.UTF8, "application/json"));
        var streamBody = await streamed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Contains("\"text_completion\"", await plain.Content.ReadAsStringAsync());
        Assert.DoesNotContain("usage", streamBody); // the client did not ask for it
        var events = await gateway.EventsAsync(tenant, 2);
        Assert.Equal([4L, 6L], events.Select(e => e.GetProperty("output_tokens").GetInt64()).Order());
        Assert.All(events, e => Assert.Equal("provider", e.GetProperty("usage_source").GetString()));
        Assert.All(events, e => Assert.Equal("/v1/completions", e.GetProperty("endpoint").GetString()));
    }
}
