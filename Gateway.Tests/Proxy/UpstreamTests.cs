using Gateway.Proxy;

namespace Gateway.Tests.Proxy;

public sealed class UpstreamTests
{
    [Fact]
    public void ToString_NeverPrintsTheKey()
    {
        var upstream = new Upstream("openai", "openai", "https://api.openai.com/v1", "sk-provider-secret-abc");

        Assert.DoesNotContain("sk-provider-secret-abc", upstream.ToString(), StringComparison.Ordinal);
        Assert.Contains("https://api.openai.com/v1", upstream.ToString(), StringComparison.Ordinal);
    }
}
