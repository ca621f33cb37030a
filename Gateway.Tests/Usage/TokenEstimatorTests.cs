using Gateway.Metering.Usage;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Usage;

public sealed class TokenEstimatorTests
{
    [Fact]
    public void EncodingFor_EndlessDistinctModelNames_MemoryStaysBounded()
    {
        var estimator = new TokenEstimator(Options.Create(new TokenizerOptions()));

        for (var i = 0; i < 25_000; i++)
        {
            Assert.Equal("o200k_base", estimator.EncodingFor("attacker-model-" + i));
        }

        Assert.Equal("cl100k_base", estimator.EncodingFor("gpt-4-0613")); // still resolved past the bound
        Assert.InRange(estimator.CachedModels, 1, 10_000);
    }
}
