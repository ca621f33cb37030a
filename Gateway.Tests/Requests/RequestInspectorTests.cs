using System.Text;
using Gateway.Metering.Requests;

namespace Gateway.Tests.Requests;

public sealed class RequestInspectorTests
{
    [Fact]
    public void Inspect_ChatRequest_ReadsWhatRoutingNeeds()
    {
        var facts = Inspect("""{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"user":"u-1","max_completion_tokens":50}""");

        Assert.NotNull(facts);
        Assert.Equal("gpt-4o", facts.Model);
        Assert.True(facts.Stream);
        Assert.True(facts.HasStreamOptions);
        Assert.True(facts.IncludeUsage);
        Assert.Equal("u-1", facts.User);
        Assert.Equal(50, facts.MaxOutputTokens);
    }

    [Theory]
    [InlineData("""{"model":"m","stream_options":{"include_obfuscation":false,"x":{"include_usage":true}}}""", true, false)]
    [InlineData("""{"model":"m","stream_options":{"include_usage":false}}""", true, false)]
    [InlineData("""{"model":"m"}""", false, false)]
    public void Inspect_StreamOptions_OnlyTopLevelIncludeUsageCounts(string json, bool hasOptions, bool includeUsage)
    {
        var facts = Inspect(json)!;

        Assert.Equal(hasOptions, facts.HasStreamOptions);
        Assert.Equal(includeUsage, facts.IncludeUsage);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"model\":")]
    [InlineData("{\"model\":\"m\"} {}")]
    [InlineData("{'model':'m'}")]
    public void Inspect_NotOneJsonObject_GivesReason(string json)
    {
        Assert.Null(RequestInspector.Inspect(Encoding.UTF8.GetBytes(json), out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Inspect_TooDeep_IsRejected()
    {
        var json = "{\"model\":\"m\",\"x\":" + new string('[', 500) + new string(']', 500) + "}";

        Assert.Null(RequestInspector.Inspect(Encoding.UTF8.GetBytes(json), out _));
    }

    private static RequestFacts? Inspect(string json) => RequestInspector.Inspect(Encoding.UTF8.GetBytes(json), out _);
}
