using System.Text;
using System.Text.Json;
using Gateway.Metering.Usage;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Usage;

/// <summary>The delivered text a request keeps to estimate output when usage is missing: bounded however long the
/// answer, and counted as if it had been kept whole.</summary>
public sealed class DeliveredTextTests
{
    private static readonly TokenEstimator Estimator = new(Options.Create(new TokenizerOptions()));

    [Theory]
    [InlineData("gpt-4o")] // o200k_base
    [InlineData("gpt-4-0613")] // cl100k_base
    public void Append_LongAnswer_KeepsAtMostCountEveryAndCountsAsIfWhole(string model)
    {
        var answer = LongAnswer(600_000);
        var text = new DeliveredText();
        text.CountWith(Estimator, model);
        var random = new Random(7);

        for (var at = 0; at < answer.Length;)
        {
            var piece = Math.Min(random.Next(1, 400), answer.Length - at);
            text.Append(answer.AsSpan(at, piece));
            at += piece;
            Assert.InRange(text.Capacity, 0, DeliveredText.CountEvery);
        }

        Assert.True(text.CountedTokens > 0); // it did count as it went
        Assert.Equal(Estimator.Count(model, answer), text.EstimateTokens(Estimator, model));
    }

    [Fact]
    public void Append_OnePieceLargerThanWhatIsKept_CountedInParts()
    {
        var answer = LongAnswer(100_000);
        var text = new DeliveredText();
        text.CountWith(Estimator, "gpt-4o");

        text.Append(answer); // a whole non-streamed answer's content arrives as one value

        Assert.InRange(text.Capacity, 0, DeliveredText.CountEvery);
        Assert.Equal(Estimator.Count("gpt-4o", answer), text.EstimateTokens(Estimator, "gpt-4o"));
    }

    [Fact]
    public void Append_NoWordBreaks_StillBounded()
    {
        var answer = string.Concat(Enumerable.Repeat("漢字かな交じり文", 10_000)); // no spaces: counted in whole parts
        var text = new DeliveredText();
        text.CountWith(Estimator, "gpt-4o");

        text.Append(answer);

        Assert.InRange(text.Capacity, 0, DeliveredText.CountEvery);
        var whole = Estimator.Count("gpt-4o", answer);
        Assert.InRange(text.EstimateTokens(Estimator, "gpt-4o"), whole, whole + (answer.Length / DeliveredText.CountEvery) + 1);
    }

    [Fact]
    public void Append_NoTokenizer_KeepsTheLimitAndEstimatesTheRestByLength()
    {
        var text = new DeliveredText(limit: 10);

        text.Append("0123456789abcdefghij");
        text.Append("klmnopqrst");

        Assert.Equal("0123456789", text.ToString());
        Assert.Equal(20, text.OverflowChars);
        Assert.Equal(Estimator.Count("gpt-4o", "0123456789") + 5, text.EstimateTokens(Estimator, "gpt-4o"));
    }

    [Fact]
    public void ChatStream_LongAnswerWithoutUsage_CaptureStaysBoundedAndEstimatesTheWholeText()
    {
        var answer = LongAnswer(300_000);
        var capture = new ChatStreamCapture(stripInjectedUsage: false);
        capture.Result.DeliveredText.CountWith(Estimator, "gpt-4o");

        var words = answer.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var delta = JsonSerializer.Serialize(i == 0 ? words[i] : " " + words[i]);
            capture.Observe(Encoding.UTF8.GetBytes($"data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{delta}}}}}]}}\n\n"));
        }

        capture.Complete(); // cut: no usage, no [DONE]

        Assert.Null(capture.Result.Usage);
        Assert.InRange(capture.Result.DeliveredText.Capacity, 0, DeliveredText.CountEvery);
        Assert.Equal(Estimator.Count("gpt-4o", answer), capture.Result.DeliveredText.EstimateTokens(Estimator, "gpt-4o"));
    }

    /// <summary>Prose, code, numbers, punctuation, newlines, accents and emoji: what answers are made of.</summary>
    private static string LongAnswer(int chars)
    {
        string[] words = ["The", "quick", "brown", "fox's", "jumps", "over", "12,345", "lazy", "dogs", "(again)", "—", "naïve",
            "café", "😀", "x+=1;", "if", "(a", "<", "b)", "{", "return", "42;", "}", "\"quoted\"", "it's", "don't", "URL:",
            "https://example.com/a/b?c=d", "3.14159", "e.g.,", "Hello!", "\n\n", "\n", "-", "*", "tab\there", "ÄÖÜ", "straße"];
        var random = new Random(42);
        var text = new StringBuilder(chars + 64);
        while (text.Length < chars)
        {
            text.Append(words[random.Next(words.Length)]);
            text.Append(random.Next(9) == 0 ? "  " : " ");
        }

        return text.ToString();
    }
}
