using System.Text;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Requests;

/// <summary>The input text of a request, counted on every admission: same count either way, and no text allocated.</summary>
[Collection(AllocationCollection.Name)]
public sealed class RequestTextTests
{
    private static readonly TokenEstimator Estimator = new(Options.Create(new TokenizerOptions()));

    public static TheoryData<string> Bodies => new()
    {
        """{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi \"there\" \u00e9😀\n"}]}""",
        """{"model":"gpt-4o","input":"plain","instructions":"x","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"type":"integer","maximum":12.5}}}}}]}""",
        """{"model":"gpt-4o","prompt":["one","two"],"max_tokens":7}""",
        """{"model":"gpt-4o"}""",
        """not json""",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void CountInput_BodySpan_SameAsExtractedString(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var (text, messages) = RequestText.Extract(bytes);

        Assert.Equal(Estimator.CountInput("gpt-4o", text, messages), Estimator.CountInput("gpt-4o", bytes));
    }

    [Fact]
    public void Extract_EscapesAndNumbers_TextAsTheModelReadsIt()
    {
        var (text, messages) = RequestText.Extract(Encoding.UTF8.GetBytes(
            """{"messages":[{"role":"user","content":"a \"b\" \u00e9"}],"tools":[{"name":"f","max":3}]}"""));

        Assert.Equal("user\na \"b\" é\nname f\nmax 3 ", text);
        Assert.Equal(1, messages);
    }

    [Fact]
    public void CountInput_OneKilobyteChat_AllocatesNoTextPerCall()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"model":"gpt-4o","max_tokens":16,"messages":[{"role":"user","content":"{{string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 20))}}"}]}""");
        Estimator.CountInput("gpt-4o", body); // the tokenizer and its caches are made on first use

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Estimator.CountInput("gpt-4o", body);
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perCall < 512, $"{perCall} bytes a call; a string of the text alone would be over 1,800");
    }
}
