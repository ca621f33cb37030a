using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Metering.Usage;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>
/// Every OpenAI-shaped shared fixture replayed by a fake upstream on Kestrel, its request sent through the real
/// gateway: the client gets the upstream's bytes, and the event in Postgres has expected.json's numbers, or is
/// estimated and flagged where the transcript carries no usage.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class FixtureReplayTests(GatewayFixture fixture)
{
    public static TheoryData<string> Cases() =>
    [
        "01_openai_chat_nonstream_cached_reasoning",
        "02_openai_chat_stream_include_usage",
        "03_openai_chat_stream_no_usage",
        "04_openai_chat_stream_cutoff",
        "06_openai_chat_stream_tool_calls",
        "07_openai_chat_stream_error_midstream",
        "08_openai_responses_nonstream",
        "09_openai_responses_stream",
        "11_openai_embeddings",
        "18_openai_400_context_length",
        "22_vllm_continuous_usage_stats",
        "13_anthropic_nonstream_cache",
        "14_anthropic_stream",
        "16_anthropic_stream_error_overloaded",
        "17_anthropic_429_rate_limit",
        "19_gemini_nonstream_thinking_cached",
        "20_gemini_stream_sse",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Replay_Fixture_ClientGetsBytesAndEventHasExpectedUsage(string name)
    {
        var gateway = fixture.Replay;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        var request = SharedFixtures.Json(name, "request.json");
        var expected = SharedFixtures.Json(name, "expected.json");
        var path = new Uri(request.GetProperty("url").GetString()!).PathAndQuery;
        var body = request.GetProperty("body").GetRawText();

        using var client = gateway.Client(key);
        using var message = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        message.Headers.Add("X-Fixture", name);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        var received = await response.Content.ReadAsByteArrayAsync();

        var meta = SharedFixtures.Json(name, "response.meta.json");
        Assert.Equal(meta.GetProperty("status").GetInt32(), (int)response.StatusCode);
        Assert.Equal(SharedFixtures.Response(name), received);

        var e = Assert.Single(await gateway.EventsAsync(tenant, 1));
        Assert.Equal(SharedFixtures.IsStream(name), e.GetProperty("streamed").GetBoolean());
        switch (expected.GetProperty("usage_status").GetString())
        {
            case "complete":
                Assert.Equal("provider", e.GetProperty("usage_source").GetString());
                Assert.Equal(expected.GetProperty("input").GetInt64(), e.GetProperty("input_tokens").GetInt64());
                Assert.Equal(expected.GetProperty("output").GetInt64(), e.GetProperty("output_tokens").GetInt64());
                Assert.Equal(expected.GetProperty("cached_input").GetInt64(), e.GetProperty("cached_input_tokens").GetInt64());
                Assert.Equal(expected.GetProperty("cache_write").GetInt64(), e.GetProperty("cache_write_tokens").GetInt64());
                Assert.Equal(expected.GetProperty("reasoning").GetInt64(), e.GetProperty("reasoning_tokens").GetInt64());
                Assert.Equal(expected.GetProperty("total").GetInt64(), e.GetProperty("total_tokens").GetInt64());
                Assert.Equal(JsonValueKind.Object, e.GetProperty("raw_usage").ValueKind);
                Assert.Equal("completed", e.GetProperty("status").GetString());
                Assert.True(e.GetProperty("billable").GetBoolean());
                break;
            case "missing" or "partial":
                Assert.Equal("estimated", e.GetProperty("usage_source").GetString());
                if (expected.GetProperty("input").ValueKind == JsonValueKind.Number)
                {
                    Assert.Equal(expected.GetProperty("input").GetInt64(), e.GetProperty("input_tokens").GetInt64()); // the provider's part stands
                }

                Assert.True(e.GetProperty("billable").GetBoolean());
                Assert.True(e.GetProperty("input_tokens").GetInt64() > 0);
                var partial = expected.GetProperty("usage_status").GetString() == "partial";
                Assert.Equal(partial ? JsonValueKind.Object : JsonValueKind.Null, e.GetProperty("raw_usage").ValueKind); // a partial block is kept
                if (expected.TryGetProperty("content_deltas_before_cut", out var deltas))
                {
                    Assert.True(e.GetProperty("output_tokens").GetInt64() >= deltas.GetInt64());
                }
                else
                {
                    Assert.True(e.GetProperty("output_tokens").GetInt64() > 0);
                }

                if (name != "03_openai_chat_stream_no_usage")
                {
                    Assert.Equal("upstream_error", e.GetProperty("status").GetString()); // cut or failed mid-stream
                }

                break;
            case "not_billable":
                Assert.Equal("none", e.GetProperty("usage_source").GetString());
                Assert.False(e.GetProperty("billable").GetBoolean());
                Assert.Equal(0, e.GetProperty("total_tokens").GetInt64());
                Assert.Equal("upstream_error", e.GetProperty("status").GetString());
                break;
            default:
                Assert.Fail("unknown usage_status");
                break;
        }
    }

    [Fact]
    public async Task Replay_NoUsageStream_EstimateMatchesTheSameStreamWithUsage()
    {
        // Fixtures 02 and 03 are one request with and without usage (USAGE-FORMATS.md §8.5): the estimate of 03
        // must land near 02's reported numbers.
        var gateway = fixture.Replay;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        var request = SharedFixtures.Json("03_openai_chat_stream_no_usage", "request.json");
        using var client = gateway.Client(key);
        using var message = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(request.GetProperty("body").GetRawText(), Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("X-Fixture", "03_openai_chat_stream_no_usage");
        (await client.SendAsync(message)).EnsureSuccessStatusCode();

        var e = Assert.Single(await gateway.EventsAsync(tenant, 1));
        var reported = SharedFixtures.Json("02_openai_chat_stream_include_usage", "expected.json");
        Assert.InRange(e.GetProperty("input_tokens").GetInt64(), reported.GetProperty("input").GetInt64() - 4, reported.GetProperty("input").GetInt64() + 4);
        Assert.Equal(reported.GetProperty("output").GetInt64(), e.GetProperty("output_tokens").GetInt64());
        Assert.Equal("completed", e.GetProperty("status").GetString());
    }
}
