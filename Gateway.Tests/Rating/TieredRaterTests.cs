using Gateway.Metering.Rating;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Rating;

public sealed class TieredRaterTests
{
    // Up to 1,000 tokens of the month: $3 in / $15 out; above: $1 in / $5 out (micro-USD per token = USD per million).
    private static readonly ModelPrice Graduated = new("m", 1, 3_000_000, 15_000_000, null, null, null)
    {
        Tiers = [new PriceTier(1_000, 3_000_000, 15_000_000), new PriceTier(null, 1_000_000, 5_000_000)],
    };

    [Fact]
    public void Rate_GraduatedBoundaryInsideOneRequest_SplitsTokensAtTheBoundary()
    {
        var lines = new List<RatedLine>();

        // 900 tokens before: input takes places 900..1049 (100 in tier 1, 50 in tier 2), output 1050..1099 (tier 2).
        var cost = Rater.Rate(new TokenUsage(150, 50), Graduated, 900, 0, lines);

        Assert.Equal((100 * 3) + (50 * 1) + (50 * 5), cost);
        Assert.Equal(
            [new RatedLine(TokenClass.Input, 0, 100, 3_000_000), new RatedLine(TokenClass.Input, 1, 50, 1_000_000), new RatedLine(TokenClass.Output, 1, 50, 5_000_000)],
            lines);
    }

    [Fact]
    public void Rate_GraduatedBelowAndAboveTheBoundary_OneTierEach()
    {
        Assert.Equal((150 * 3) + (50 * 15), Rater.Rate(new TokenUsage(150, 50), Graduated, 0, 0));
        Assert.Equal((150 * 1) + (50 * 5), Rater.Rate(new TokenUsage(150, 50), Graduated, 1_000, 0));
        Assert.Equal((150 * 1) + (50 * 5), Rater.Rate(new TokenUsage(150, 50), Graduated, 5_000_000, 0));
    }

    [Fact]
    public void Rate_GraduatedClassesTakePlacesInOrder_CachedFirstReasoningBeforeVisibleOutput()
    {
        var price = Graduated with { CachedInputPerMillionMicros = 300_000, Tiers = [new PriceTier(1_000, 3_000_000, 15_000_000, 300_000), new PriceTier(null, 1_000_000, 5_000_000, 100_000)] };
        var lines = new List<RatedLine>();

        // 990 before; 20 cached (10 + 10 across the boundary), 5 uncached, 10 output of which 4 reasoning: all tier 2.
        Rater.Rate(new TokenUsage(25, 10, CachedInput: 20, Reasoning: 4), price, 990, 0, lines);

        Assert.Equal(
            [
                new RatedLine(TokenClass.CachedInput, 0, 10, 300_000), new RatedLine(TokenClass.CachedInput, 1, 10, 100_000),
                new RatedLine(TokenClass.Input, 1, 5, 1_000_000), new RatedLine(TokenClass.Reasoning, 1, 4, 5_000_000), new RatedLine(TokenClass.Output, 1, 6, 5_000_000),
            ],
            lines);
    }

    [Fact]
    public void Rate_Volume_WholeEventAtTheTierTheMonthReaches()
    {
        var volume = Graduated with { TierMode = TierMode.Volume };

        Assert.Equal((150 * 1) + (50 * 5), Rater.Rate(new TokenUsage(150, 50), volume, 900, 0)); // ends at 1,099: tier 2
        Assert.Equal((150 * 3) + (50 * 15), Rater.Rate(new TokenUsage(150, 50), volume, 800, 0)); // ends at 999: tier 1
    }

    [Theory]
    [InlineData(1000, 990)]     // +10 %
    [InlineData(-2500, 675)]    // 25 % off
    [InlineData(1, 900)]        // +0.01 %: 900.09 rounds to 900
    [InlineData(-10000, 0)]     // free
    public void Rate_Markup_ScalesTheWholeCostRoundedOnce(int markupBp, long expected)
    {
        var flat = new ModelPrice("m", 1, 3_000_000, 15_000_000, null, null, null);

        Assert.Equal(expected, Rater.Rate(new TokenUsage(100, 40), flat, 0, markupBp)); // 300 + 600 = 900 before markup
    }

    [Fact]
    public void Rate_Untiered_SameAsCostMicros()
    {
        var flat = new ModelPrice("m", 1, 3_000_000, 15_000_000, 300_000, 3_750_000, null);
        var usage = new TokenUsage(2150, 640, 1920, 0, 448);

        Assert.Equal(Rater.CostMicros(usage, flat), Rater.Rate(usage, flat, 123_456, 0));
    }

    [Fact]
    public void HoldMicros_Tiered_CoversTheDearestTierAndTheMarkup()
    {
        var cheapFirst = Graduated with { Tiers = [new PriceTier(10, 1_000_000, 1_000_000), new PriceTier(null, 4_000_000, 20_000_000)] };

        Assert.Equal((100 * 4) + (10 * 20), Rater.HoldMicros(100, 10, cheapFirst));
        Assert.Equal(660, Rater.HoldMicros(100, 10, cheapFirst, 1000));
        Assert.True(Rater.HoldMicros(100, 10, cheapFirst) >= Rater.Rate(new TokenUsage(100, 10), cheapFirst, 0, 0));
    }
}
