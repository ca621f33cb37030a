using Gateway.Metering.Rating;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Rating;

public sealed class RaterTests
{
    // $3 input, $15 output, $0.30 cached, $3.75 cache write, reasoning falls back to output (issue #3's example).
    private static readonly ModelPrice Price = new("m", 1, 3_000_000, 15_000_000, 300_000, 3_750_000, null);

    [Fact]
    public void CostMicros_EveryClass_PricedByItsRate()
    {
        // 2150 input of which 1920 cached and 0 written; 640 output of which 448 reasoning (fixture 01).
        var cost = Rater.CostMicros(new TokenUsage(2150, 640, 1920, 0, 448), Price);

        // (230×3 + 1920×0.3 + 192×15 + 448×15) micro-USD = 690 + 576 + 2880 + 6720 = 10866
        Assert.Equal(10_866, cost);
    }

    [Fact]
    public void CostMicros_CacheWriteAndReasoningPrices_Apply()
    {
        var price = Price with { ReasoningPerMillionMicros = 60_000_000 };

        var cost = Rater.CostMicros(new TokenUsage(11842, 356, 0, 11800, 100), price);

        // 42×3 + 11800×3.75 + 256×15 + 100×60 = 126 + 44250 + 3840 + 6000
        Assert.Equal(54_216, cost);
    }

    [Fact]
    public void CostMicros_HourLongCacheWritesAndServerToolRequests_PricedApart()
    {
        // Fixture 13: 42 uncached, 11800 written of which 10000 for an hour; 356 output; plus 2 web searches at 1 cent.
        var price = new ModelPrice("claude", 1, 3_000_000, 15_000_000, 300_000, 3_750_000, null, CacheWrite1hPerMillionMicros: 6_000_000, ServerToolRequestMicros: 10_000);
        var usage = new TokenUsage(11842, 356, 0, 11800, 0, CacheWrite1h: 10000, ServerToolRequests: 2);

        // 42×3 + 1800×3.75 + 10000×6 + 356×15 + 2×10000 = 126 + 6750 + 60000 + 5340 + 20000
        Assert.Equal(92_216, Rater.CostMicros(usage, price));
        Assert.True(Rater.HoldMicros(11842, 356, price) >= Rater.CostMicros(usage with { ServerToolRequests = 0 }, price));
        Assert.Equal(price.CacheWrite, (price with { CacheWrite1hPerMillionMicros = null }).CacheWrite1h); // falls back
    }

    [Theory]
    [InlineData(1, 1)]    // 1 token × $0.50/M = 0.5 micro → rounds half up to 1
    [InlineData(3, 2)]    // 1.5 → 2
    [InlineData(2, 1)]    // 1.0
    public void CostMicros_RoundsOncePerEventHalfUp(long tokens, long expected)
    {
        var cheap = new ModelPrice("m", 1, 500_000, 0, null, null, null);

        Assert.Equal(expected, Rater.CostMicros(new TokenUsage(tokens, 0), cheap));
    }

    [Fact]
    public void CostMicros_ManySmallPartsRoundedOnce_NotPerClass()
    {
        var price = new ModelPrice("m", 1, 400_000, 400_000, 400_000, null, null);

        // 1 uncached, 1 cached, 1 output: 0.4 + 0.4 + 0.4 = 1.2 → 1 (per-class rounding would give 0).
        Assert.Equal(1, Rater.CostMicros(new TokenUsage(2, 1, CachedInput: 1), price));
    }

    [Fact]
    public void CostMicros_HugeCounts_DoNotOverflow()
    {
        var price = new ModelPrice("m", 1, 1_000_000_000_000, 1_000_000_000_000, null, null, null);

        Assert.Equal(200_000_000_000_000, Rater.CostMicros(new TokenUsage(TokenUsage.MaxCount, TokenUsage.MaxCount), price));
    }

    [Fact]
    public void HoldMicros_WorstCase_DearestClassesRoundedUp()
    {
        // 1000 input at max(3, 0.3, 3.75) + 100 output at max(15, 15): 3750 + 1500
        Assert.Equal(5_250, Rater.HoldMicros(1000, 100, Price));
        Assert.Equal(1, Rater.HoldMicros(1, 0, new ModelPrice("m", 1, 1, 0, null, null, null)));
    }

    [Fact]
    public void HoldMicros_CoversCostOfAnyOutcomeWithinTheEstimate()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var input = random.Next(0, 50_000);
            var maxOutput = random.Next(0, 8_000);
            var cached = random.Next(0, input + 1);
            var written = random.Next(0, input - cached + 1);
            var output = random.Next(0, maxOutput + 1);
            var usage = new TokenUsage(input, output, cached, written, random.Next(0, output + 1));

            Assert.True(Rater.CostMicros(usage, Price) <= Rater.HoldMicros(input, maxOutput, Price));
        }
    }
}
