using System.Text.Json;
using Gateway.Metering.Usage;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Usage;

/// <summary>Every OpenAI-shaped shared fixture through its capture, bytes split unevenly: the metered numbers equal
/// expected.json, missing usage stays missing, and the client bytes equal the upstream's.</summary>
public sealed class FixtureCaptureTests
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "01_openai_chat_nonstream_cached_reasoning", nameof(ApiKind.ChatCompletions) },
        { "02_openai_chat_stream_include_usage", nameof(ApiKind.ChatCompletions) },
        { "03_openai_chat_stream_no_usage", nameof(ApiKind.ChatCompletions) },
        { "04_openai_chat_stream_cutoff", nameof(ApiKind.ChatCompletions) },
        { "06_openai_chat_stream_tool_calls", nameof(ApiKind.ChatCompletions) },
        { "07_openai_chat_stream_error_midstream", nameof(ApiKind.ChatCompletions) },
        { "08_openai_responses_nonstream", nameof(ApiKind.Responses) },
        { "09_openai_responses_stream", nameof(ApiKind.Responses) },
        { "11_openai_embeddings", nameof(ApiKind.Embeddings) },
        { "18_openai_400_context_length", nameof(ApiKind.ChatCompletions) },
        { "22_vllm_continuous_usage_stats", nameof(ApiKind.ChatCompletions) },
        { "13_anthropic_nonstream_cache", nameof(ApiKind.AnthropicMessages) },
        { "14_anthropic_stream", nameof(ApiKind.AnthropicMessages) },
        { "16_anthropic_stream_error_overloaded", nameof(ApiKind.AnthropicMessages) },
        { "17_anthropic_429_rate_limit", nameof(ApiKind.AnthropicMessages) },
        { "19_gemini_nonstream_thinking_cached", nameof(ApiKind.GeminiGenerateContent) },
        { "20_gemini_stream_sse", nameof(ApiKind.GeminiGenerateContent) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Capture_Fixture_MetersExpectedUsage(string name, string apiName)
    {
        var api = Enum.Parse<ApiKind>(apiName);
        var expected = SharedFixtures.Json(name, "expected.json");
        var wire = SharedFixtures.Response(name);
        foreach (var piece in new[] { 1, 13, 64, wire.Length })
        {
            using var capture = UsageCaptures.Create(api, SharedFixtures.IsStream(name), stripInjectedUsage: false);
            var client = new List<byte>();
            for (var offset = 0; offset < wire.Length; offset += piece)
            {
                client.AddRange(capture.Observe(wire.AsMemory(offset, Math.Min(piece, wire.Length - offset))).ToArray());
            }

            client.AddRange(capture.Complete().ToArray());
            Assert.Equal(wire, client.ToArray());

            var status = expected.GetProperty("usage_status").GetString();
            var result = capture.Result;
            if (status == "complete")
            {
                var usage = Assert.NotNull(result.Usage);
                Assert.Equal(expected.GetProperty("input").GetInt64(), usage.Input);
                Assert.Equal(expected.GetProperty("output").GetInt64(), usage.Output);
                Assert.Equal(expected.GetProperty("cached_input").GetInt64(), usage.CachedInput);
                Assert.Equal(expected.GetProperty("cache_write").GetInt64(), usage.CacheWrite);
                Assert.Equal(expected.GetProperty("reasoning").GetInt64(), usage.Reasoning);
                Assert.Equal(expected.GetProperty("total").GetInt64(), usage.Total);
                Assert.False(result.UsagePartial);
                Assert.NotNull(result.RawUsage);
                using var raw = JsonDocument.Parse(result.RawUsage!);
                if (expected.TryGetProperty("cache_write_by_ttl", out var ttl))
                {
                    // The 5-minute / 1-hour split stays in the usage block as separate meters.
                    var split = raw.RootElement.GetProperty("cache_creation");
                    Assert.Equal(ttl.GetProperty("1h").GetInt64(), usage.CacheWrite1h);
                    foreach (var bucket in ttl.EnumerateObject())
                    {
                        var field = bucket.Name is "5m" ? "ephemeral_5m_input_tokens" : "ephemeral_1h_input_tokens";
                        Assert.Equal(bucket.Value.GetInt64(), split.GetProperty(field).GetInt64());
                    }
                }
            }
            else if (status == "partial")
            {
                var usage = Assert.NotNull(result.Usage);
                Assert.True(result.UsagePartial);
                Assert.True(result.ErrorSeen);
                Assert.Equal(expected.GetProperty("input").GetInt64(), usage.Input);
                Assert.False(string.IsNullOrEmpty(result.DeliveredText.ToString()));
            }
            else
            {
                Assert.Null(result.Usage);
            }
        }
    }
}
