using System.Text;
using System.Text.Json;
using Gateway.Fuzz;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Fuzz;

/// <summary>
/// What the fuzzer found, kept as plain cases. Before the fixes each of these threw (a 500, or a capture that took the
/// client's answer down and left the hold unsettled), was accepted and broke later, or broke a promise.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static byte[] Bytes(string ascii, params (int At, byte[] Insert)[] inserts)
    {
        var bytes = Encoding.UTF8.GetBytes(ascii).ToList();
        foreach (var (at, insert) in inserts.OrderByDescending(i => i.At))
        {
            bytes.InsertRange(at, insert);
        }

        return [.. bytes];
    }

    public static TheoryData<byte[]> RefusedBodies() =>
    [
        Bytes("{\"model\":\"gpt-4o\"}", (11, [0xC3, 0x28])), // invalid UTF-8 in the model: GetString threw
        Bytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", (49, [0xFF])), // in a message: the estimate threw later
        Bytes("{\"model\":\"m\",\"x\":\"\"}", (18, [0xED, 0xA0, 0x80])), // a UTF-8-encoded surrogate
        Encoding.ASCII.GetBytes("{\"model\":\"m\\ud800\"}"), // escaped lone surrogate in the model
        Encoding.ASCII.GetBytes("{\"model\":\"m\",\"messages\":[{\"content\":\"\\udc00\"}]}"), // in a message
        Encoding.ASCII.GetBytes("{\"model\":\"m\",\"\\ud800\":1}"), // in a name
        Encoding.ASCII.GetBytes("{\"model\":\"cheap\",\"model\":\"dear\"}"), // metered one model, served the other
        Encoding.ASCII.GetBytes("{\"model\":\"cheap\",\"mod\\u0065l\":\"dear\"}"), // the same, escaped
        Encoding.ASCII.GetBytes("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"a\":1,\"a\":2}}"), // the rewrite threw
        Encoding.ASCII.GetBytes("{\"model\":\"m\\u0000\"}"), // NUL: Postgres text refuses it, stalling the sink
        Encoding.ASCII.GetBytes("{\"model\":\"" + new string('m', RequestInspector.MaxModelLength + 1) + "\"}"),
        Encoding.ASCII.GetBytes("{\"model\":\"m\",\"x\":" + new string('[', RequestInspector.MaxDepth) + new string(']', RequestInspector.MaxDepth) + "}"),
    ];

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public void Inspect_HostileBody_RefusedWithAReason(byte[] body)
    {
        Assert.Null(RequestInspector.Inspect(body, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        RequestBodyTarget.Run(body, new Random(1)); // and the whole request-side path holds
    }

    [Theory]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":null}")] // the splice added a second member; the last (null) won
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":\"yes\"}")]
    [InlineData("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false}}")]
    public void Inject_AnyStreamOptions_OneMemberThatAsksForUsage(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var facts = RequestInspector.Inspect(body, out _)!;

        var injected = StreamOptionsInjector.Inject(body, body.Length, facts);

        Assert.Equal(1, CountOf(injected, "\"stream_options\""));
        var again = RequestInspector.Inspect(injected, out _)!;
        Assert.True(again.IncludeUsage);
    }

    [Fact]
    public void Inject_DeeperThanJsonNodesDefault_Works()
    {
        // 100 levels: accepted (limit 128), and the rewrite's parser used to stop at 64 and throw mid-request.
        var json = "{\"model\":\"m\",\"stream\":true,\"stream_options\":{},\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        var body = Encoding.UTF8.GetBytes(json);
        var facts = RequestInspector.Inspect(body, out var error)!;
        Assert.Null(error);

        var injected = StreamOptionsInjector.Inject(body, body.Length, facts);

        Assert.True(RequestInspector.Inspect(injected, out _)!.IncludeUsage);
    }

    [Fact]
    public void Inspect_UserWithControlCharacters_KeptPrintableAndBounded()
    {
        var facts = RequestInspector.Inspect(Encoding.UTF8.GetBytes("{\"model\":\"m\",\"user\":\"a\\u0000b" + new string('u', 400) + "\"}"), out _)!;

        Assert.StartsWith("a\uFFFDb", facts.User, StringComparison.Ordinal);
        Assert.Equal(RequestInspector.MaxUserLength, facts.User!.Length);
    }

    [Fact]
    public void ChatStream_InvalidUtf8AndLoneSurrogates_BytesPassAndLaterUsageCounts()
    {
        var wire = Bytes(
            "data: {\"model\":\"gpt\",\"choices\":[{\"delta\":{\"content\":\"ab\"}}]}\n\n" +
            "data: {\"choices\":[{\"\\ud800\":1,\"delta\":{\"content\":\"\\udc00\"}}]}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n" +
            "data: [DONE]\n\n",
            (46, [0xC3, 0x28]));

        var result = UsageCaptureTarget.Run(wire, new Random(3), () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: true, stripInjectedUsage: false), passthrough: true);

        Assert.Equal(new TokenUsage(7, 3), result.Usage);
        Assert.True(result.Finished);
    }

    [Fact]
    public void JsonBody_ServedModelWithNulAndHugeLength_StoredPrintableAndBounded()
    {
        var wire = Encoding.ASCII.GetBytes("{\"model\":\"x\\u0000" + new string('y', 10_000) + "\",\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");

        var result = UsageCaptureTarget.Run(wire, new Random(3), () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: false, stripInjectedUsage: false), passthrough: true);

        Assert.Equal(JsonText.MaxLabelLength, result.ServedModel!.Length);
        Assert.StartsWith("x\uFFFDy", result.ServedModel, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonBody_UsageNestedDeep_IgnoredNotThrown()
    {
        // The usage readers (and the event's JSON) stop at depth 64; such a block is no provider's usage.
        var wire = Encoding.ASCII.GetBytes("{\"usage\":{\"prompt_tokens\":5,\"x\":" + new string('[', 80) + new string(']', 80) + "}}");

        var result = UsageCaptureTarget.Run(wire, new Random(3), () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: false, stripInjectedUsage: false), passthrough: true);

        Assert.Null(result.Usage);
    }

    [Fact]
    public void JsonBody_HugeUsageBlock_CountsReadRawUsageDropped()
    {
        var wire = Encoding.ASCII.GetBytes("{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"pad\":\"" + new string('p', CaptureResult.MaxRawUsageBytes) + "\"}}");

        var result = UsageCaptureTarget.Run(wire, new Random(3), () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: false, stripInjectedUsage: false), passthrough: true);

        Assert.Equal(new TokenUsage(5, 2), result.Usage);
        Assert.Null(result.RawUsage);
    }

    [Fact]
    public void AnthropicStream_HostileCounts_ClampedAndFieldsBounded()
    {
        var names = string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"f{i}\":1"));
        var wire = Encoding.ASCII.GetBytes(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":-4,\"cache_read_input_tokens\":1e400," + names + "}}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":12.7,\"\\ud800\":3}}\n\n" +
            "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":99999999999}}\n\n");

        var result = UsageCaptureTarget.Run(wire, new Random(3), () => UsageCaptures.Create(ApiKind.AnthropicMessages, eventStream: true, stripInjectedUsage: false), passthrough: true);

        Assert.Equal(0, result.Usage!.Value.CachedInput); // 1e400 is no number
        Assert.Equal(TokenUsage.MaxCount, result.Usage.Value.Output); // the last cumulative delta, clamped
        using var raw = JsonDocument.Parse(result.RawUsage!);
        Assert.InRange(raw.RootElement.EnumerateObject().Count(), 3, 64 + 8); // 64 others at most, plus the counters read
    }

    [Fact]
    public void AnthropicJson_NestedCounterUnderAHugeName_RawUsageStaysSmall()
    {
        // Found by the long run: the name length was checked on the inner name only, not its parent's.
        var wire = Encoding.ASCII.GetBytes("{\"type\":\"message\",\"usage\":{\"input_tokens\":3,\"output_tokens\":4,\"" + new string('s', 40_000) + "\":{\"n\":1}}}");

        var result = UsageCaptureTarget.Run(wire, new Random(3), () => UsageCaptures.Create(ApiKind.AnthropicMessages, eventStream: false, stripInjectedUsage: false), passthrough: true);

        Assert.Equal(new TokenUsage(3, 4), result.Usage);
        Assert.InRange(result.RawUsage!.Length, 10, 1024);
    }

    private static int CountOf(byte[] haystack, string needle)
    {
        var count = 0;
        var span = haystack.AsSpan();
        var bytes = Encoding.ASCII.GetBytes(needle);
        for (var at = span.IndexOf(bytes); at >= 0; at = span.IndexOf(bytes))
        {
            count++;
            span = span[(at + bytes.Length)..];
        }

        return count;
    }
}
