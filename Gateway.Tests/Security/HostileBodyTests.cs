using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Functional;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Security;

/// <summary>
/// Hostile bodies both ways through the real gateway: a client's is refused with 400 in the OpenAI shape before any
/// provider is called; an upstream's reaches the client byte for byte and is metered as an estimate.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HostileBodyTests(GatewayFixture fixture)
{
    public static TheoryData<byte[], string> Bodies()
    {
        static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
        return new TheoryData<byte[], string>
        {
            { [.. Ascii("{\"model\":\"gpt-4o\",\"messages\":[{\"content\":\""), 0xC3, 0x28, .. Ascii("\"}]}")], "invalid_json" },
            { [.. Ascii("{\"model\":\"gpt-4o"), 0xFF, .. Ascii("\"}")], "invalid_json" },
            { Ascii("{\"model\":\"gpt-4o\",\"messages\":[{\"content\":\"\\ud83d\"}]}"), "invalid_json" },
            { Ascii("{\"model\":\"gpt-4o-mini\",\"messages\":[],\"model\":\"o3-pro\"}"), "invalid_json" },
            { Ascii("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false,\"include_usage\":true}}"), "invalid_json" },
            { Ascii("{\"model\":\"m\",\"x\":" + new string('[', 200) + new string(']', 200) + "}"), "invalid_json" },
            { Ascii("{\"model\":\"m\\u0000x\"}"), "invalid_json" },
        };
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Post_HostileBody_400InOpenAiShapeBeforeUpstream(byte[] body, string code)
    {
        var gateway = fixture.Replay;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        var marker = "01_openai_chat_nonstream_cached_reasoning#" + tenant;
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Fixture", marker);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, code);
        Assert.Equal(0, fixture.Upstream.CountFor(marker));
        await gateway.EventsAsync(tenant, 0, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Post_ControlCharacterInPath_400BeforeUpstream()
    {
        var gateway = fixture.Replay;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var response = await client.PostAsync("/v1beta/models/gemini%01x:generateContent", new StringContent("{\"contents\":[]}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("reason").GetString());
        await gateway.EventsAsync(tenant, 0, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Post_UserWithNul_EventStoredPrintableAndTheSinkKeepsFlowing()
    {
        // Postgres text refuses NUL: stored as sent, this event would fail its batch again and again (a Redis
        // database of its own, so a regression cannot wedge the other tests' stream).
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = TestServices.RedisDatabase(6) });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var first = await client.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"sim-1\",\"user\":\"a\\u0000b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"));
        var second = await client.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var events = await gateway.EventsAsync(tenant, 2);
        Assert.Contains(events, e => e.GetProperty("end_user").GetString() == "a\uFFFDb");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Upstream_HostileBytes_ClientGetsThemAndTheEventIsEstimated(bool stream)
    {
        byte[] wire = stream
            ? [
                .. "data: {\"model\":\"gpt-4o\\u0000\",\"choices\":[{\"delta\":{\"content\":\"caf"u8, 0xC3, .. "\"}}]}\n\n"u8,
                .. "data: {\"choices\":[{\"\\ud800\":1,\"delta\":{\"content\":\"x\\udc00 words here\"}}]}\n\n"u8,
                .. "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":NaN,\"completion_tokens\":-1}}\n\n"u8,
                .. "data: {\"choices\":[{\"delta\":{\"content\":\"tail with no done"u8, 0xE2, 0x82,
            ]
            : [.. "{\"model\":\"gpt-4o\",\"choices\":[{\"message\":{\"content\":\"truncated answer\"}}],\"usage\":{\"prompt_tokens\":1e999,\"completion_to"u8];
        await using var upstream = await ScriptedUpstream.StartAsync();
        upstream.Handler = async (context, _) =>
        {
            context.Response.ContentType = stream ? "text/event-stream" : "application/json";
            for (var offset = 0; offset < wire.Length; offset += 5) // tokens and UTF-8 sequences split across writes
            {
                await context.Response.Body.WriteAsync(wire.AsMemory(offset, Math.Min(5, wire.Length - offset)));
                await context.Response.Body.FlushAsync();
            }
        };
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:openai:BaseUrl"] = upstream.BaseUrl,
            ["Admission:AllowUnpricedModels"] = "true",
        });
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            "{\"model\":\"gpt-4o\",\"stream\":" + (stream ? "true,\"stream_options\":{\"include_usage\":true}" : "false") + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}",
            Encoding.UTF8,
            "application/json"));

        Assert.Equal(wire, await response.Content.ReadAsByteArrayAsync());
        var e = Assert.Single(await gateway.EventsAsync(tenant, 1));
        Assert.Equal("estimated", e.GetProperty("usage_source").GetString());
        Assert.True(e.GetProperty("billable").GetBoolean());
        Assert.InRange(e.GetProperty("input_tokens").GetInt64(), 1, 100);
        Assert.InRange(e.GetProperty("output_tokens").GetInt64(), 1, 100);
        if (stream)
        {
            Assert.Equal("gpt-4o\uFFFD", e.GetProperty("served_model").GetString());
            Assert.Equal("upstream_error", e.GetProperty("status").GetString()); // no [DONE]: not a whole answer
        }
    }
}
