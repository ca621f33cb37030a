namespace Gateway.Metering.Alerts;

/// <summary>
/// A runaway agent loop shows as a minute far above the tenant's usual rate: the tokens of the last 60 seconds
/// exceed <see cref="Multiple"/> × the average per minute of the <see cref="WindowMinutes"/> before them, and reach
/// <see cref="MinTokensPerMinute"/> (so a quiet tenant's few requests are not a spike). Minutes without usage count
/// as zero in the average.
/// </summary>
internal sealed record SpendSpikeRule(decimal Multiple, int WindowMinutes, long MinTokensPerMinute)
{
    public const int DefaultWindowMinutes = 60;
    public const long DefaultMinTokensPerMinute = 1000;

    public bool IsSpike(long lastMinuteTokens, long trailingTokens)
        => lastMinuteTokens >= MinTokensPerMinute
            && lastMinuteTokens > 0
            && (decimal)lastMinuteTokens * WindowMinutes > Multiple * trailingTokens; // last > multiple × trailing / window

    public decimal TrailingAverage(long trailingTokens) => decimal.Round((decimal)trailingTokens / WindowMinutes, 3);
}
