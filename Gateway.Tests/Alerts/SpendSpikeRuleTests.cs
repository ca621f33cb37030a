using Gateway.Metering.Alerts;

namespace Gateway.Tests.Alerts;

public sealed class SpendSpikeRuleTests
{
    private static readonly SpendSpikeRule Rule = new(Multiple: 3m, WindowMinutes: 60, MinTokensPerMinute: 1000);

    [Theory]
    [InlineData(999, 0, false)]           // under the floor, whatever the average
    [InlineData(1000, 0, true)]           // no history: the floor decides
    [InlineData(3000, 60_000, false)]     // average 1,000/min: exactly 3× is not above it
    [InlineData(3001, 60_000, true)]
    [InlineData(50_000, 6_000_000, false)] // a busy tenant's ordinary minute
    [InlineData(0, 0, false)]
    public void IsSpike_LastMinuteAgainstTrailingAverage(long lastMinute, long trailing, bool spike)
        => Assert.Equal(spike, Rule.IsSpike(lastMinute, trailing));

    [Fact]
    public void IsSpike_ZeroFloor_NoUsageIsNeverASpike()
        => Assert.False((Rule with { MinTokensPerMinute = 0 }).IsSpike(0, 0));

    [Fact]
    public void TrailingAverage_PerMinuteOfTheWindow()
        => Assert.Equal(1000.5m, Rule.TrailingAverage(60_030));
}
