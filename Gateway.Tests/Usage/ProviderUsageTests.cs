using System.Text;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Usage;

public sealed class ProviderUsageTests
{
    [Fact]
    public void AnthropicStream_RepeatedCumulativeDeltas_OverwriteNeverAdd()
    {
        // Server-tool streams send several message_delta events with running totals (USAGE-FORMATS.md §4.3).
        const string wire =
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-x\",\"usage\":{\"input_tokens\":100,\"cache_read_input_tokens\":50,\"output_tokens\":1}}}\n\n" +
            "event: ping\ndata: {\"type\":\"ping\"}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":40,\"server_tool_use\":{\"web_search_requests\":1}}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"input_tokens\":120,\"cache_read_input_tokens\":null,\"output_tokens\":90,\"server_tool_use\":{\"web_search_requests\":2}}}\n\n" +
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        using var capture = new AnthropicStreamCapture();

        capture.Observe(Encoding.UTF8.GetBytes(wire));
        capture.Complete();

        // input 120 (overwritten) + cache read 50 (null this time: the last value stands); output 90, not 131; two
        // web searches (the last running total), not three.
        Assert.Equal(new TokenUsage(170, 90, CachedInput: 50, ServerToolRequests: 2), capture.Result.Usage);
        Assert.Contains("\"web_search_requests\":2", capture.Result.RawUsage);
        Assert.Equal("claude-x", capture.Result.ServedModel);
        Assert.True(capture.Result.Finished);
        Assert.False(capture.Result.UsagePartial);
        Assert.Equal("hi", capture.Result.DeliveredText.ToString());
    }

    [Fact]
    public void GeminiUsage_AbsentFieldsAreZero_ToolPromptCountsAsInput()
    {
        var usage = GeminiUsageReader.Read("""{"promptTokenCount":10,"toolUsePromptTokenCount":5,"candidatesTokenCount":7}"""u8);

        Assert.Equal(new TokenUsage(15, 7), usage);
    }
}
