using Gateway.Metering.Rating;

namespace Gateway.Tests.Rating;

public sealed class MoneyTests
{
    [Theory]
    [InlineData("9.99", 9_990_000)]
    [InlineData("0.000001", 1)]
    [InlineData("0.3", 300_000)]
    [InlineData("3.750000", 3_750_000)]
    [InlineData("1000000", 1_000_000_000_000)]
    public void TryToMicros_AtMostSixDecimals_Exact(string text, long micros)
    {
        Assert.True(Money.TryToMicros(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), out var parsed));
        Assert.Equal(micros, parsed);
    }

    [Theory]
    [InlineData("0.0000001")]
    [InlineData("1.1234567")]
    [InlineData("10000000000000")]
    public void TryToMicros_TooPreciseOrTooLarge_Refused(string text)
    {
        Assert.False(Money.TryToMicros(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), out _));
    }

    [Fact]
    public void Format_RoundTrips()
    {
        Assert.Equal("9.98", Money.Format(9_980_000));
        Assert.Equal("0.000001", Money.Format(1));
        Assert.Equal("-0.5", Money.Format(-500_000));
    }
}
