using System.Text;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Usage;

public sealed class JsonResponseScannerTests
{
    private const string Completion = """
        {"id":"c1","object":"chat.completion","model":"gpt-4o-2024","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"there\" é😀","refusal":null},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":0}}}
        """;

    [Fact]
    public void Feed_SplitAtEveryByte_FindsSameUsageModelAndText()
    {
        var bytes = Encoding.UTF8.GetBytes(Completion);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var text = new DeliveredText();
            using var scanner = new JsonResponseScanner(TextCapture.Completions, text);
            scanner.Feed(bytes.AsSpan(0, split), isFinal: false);
            scanner.Feed(bytes.AsSpan(split), isFinal: false);
            scanner.Feed([], isFinal: true);

            Assert.False(scanner.Invalid, $"split at {split}");
            Assert.Equal("gpt-4o-2024", scanner.Model);
            Assert.Equal(new TokenUsage(12, 7), OpenAiUsageReader.Read(scanner.Usage));
            Assert.Equal("Hi \"there\" é😀", text.ToString());
        }
    }

    [Fact]
    public void Feed_OneByteAtATime_Works()
    {
        var bytes = Encoding.UTF8.GetBytes(Completion);
        using var scanner = new JsonResponseScanner(TextCapture.None, null);
        foreach (var b in bytes)
        {
            scanner.Feed([b], isFinal: false);
        }

        scanner.Feed([], isFinal: true);
        Assert.Equal(19, OpenAiUsageReader.Read(scanner.Usage).Total);
    }

    [Fact]
    public void Feed_NestedUsageNotAtRoot_IsIgnored()
    {
        using var scanner = Scan("""{"choices":[{"usage":{"prompt_tokens":99}}],"usage":null}""");

        Assert.Null(scanner.Usage);
        Assert.NotEqual(-1, scanner.NullUsageSpan.Start);
    }

    [Fact]
    public void Feed_ResponsesEvent_ReadsUsageAndModelUnderResponse()
    {
        using var scanner = Scan("""{"type":"response.completed","response":{"model":"gpt-4.1","output":[],"usage":{"input_tokens":42,"output_tokens":8,"total_tokens":50}}}""");

        Assert.Equal("response.completed", scanner.Type);
        Assert.Equal("gpt-4.1", scanner.Model);
        Assert.Equal(new TokenUsage(42, 8), OpenAiUsageReader.Read(scanner.Usage));
    }

    [Fact]
    public void Feed_GroqUsage_IsKeptApart()
    {
        using var scanner = Scan("""{"choices":[],"x_groq":{"id":"r","usage":{"prompt_tokens":5,"completion_tokens":2}}}""");

        Assert.Null(scanner.Usage);
        Assert.Equal(new TokenUsage(5, 2), OpenAiUsageReader.Read(scanner.GroqUsage));
        Assert.True(scanner.ChoicesEmpty);
    }

    [Theory]
    [InlineData("""{"error":{"message":"boom","type":"server_error"}}""", true)]
    [InlineData("""{"error":null,"choices":[{"index":0}]}""", false)]
    public void Feed_ErrorObject_IsFlagged(string json, bool expected)
    {
        using var scanner = Scan(json);

        Assert.Equal(expected, scanner.HasError);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"a\":}")]
    [InlineData("[DONE]")]
    public void Feed_Garbage_IsInvalidNotThrown(string text)
    {
        using var scanner = Scan(text);

        Assert.True(scanner.Invalid);
        Assert.Null(scanner.Usage);
    }

    [Fact]
    public void Feed_TextBeyondLimit_CountsOverflow()
    {
        var text = new DeliveredText(limit: 10);
        using var scanner = new JsonResponseScanner(TextCapture.Completions, text);
        scanner.Feed(Encoding.UTF8.GetBytes("""{"choices":[{"message":{"content":"0123456789abcdefghij"}}]}"""), isFinal: true);

        Assert.Equal("0123456789", text.ToString());
        Assert.Equal(10, text.OverflowChars);
    }

    private static JsonResponseScanner Scan(string json)
    {
        var scanner = new JsonResponseScanner(TextCapture.Completions, new DeliveredText());
        scanner.Feed(Encoding.UTF8.GetBytes(json), isFinal: true);
        return scanner;
    }
}
