using Gateway.Metering.Usage;

namespace Gateway.Metering.Rating;

/// <summary>Tokens × prices → micro-USD. Exact integer arithmetic, one rounding per event.</summary>
internal static class Rater
{
    /// <summary>
    /// uncached input × input + cached × cached price + cache write × cache-write price (the hour-long part at its own
    /// price) + (output − reasoning) × output + reasoning × reasoning price + server tool requests × their price, in
    /// micro-USD, rounded half up once (issues #3, #5).
    /// </summary>
    public static long CostMicros(TokenUsage usage, ModelPrice price)
    {
        var uncached = Math.Max(0, usage.Input - usage.CachedInput - usage.CacheWrite);
        var visibleOutput = Math.Max(0, usage.Output - usage.Reasoning);
        var numerator = ((Int128)uncached * price.InputPerMillionMicros)
            + ((Int128)usage.CachedInput * price.CachedInput)
            + ((Int128)(usage.CacheWrite - usage.CacheWrite1h) * price.CacheWrite)
            + ((Int128)usage.CacheWrite1h * price.CacheWrite1h)
            + ((Int128)visibleOutput * price.OutputPerMillionMicros)
            + ((Int128)usage.Reasoning * price.Reasoning)
            + ((Int128)usage.ServerToolRequests * price.ServerToolRequest * 1_000_000);
        return (long)DivideRoundHalfUp(numerator, 1_000_000);
    }

    /// <summary>
    /// The worst case of a request before it runs: every input token at the dearest input class and every possible
    /// output token at the dearer of output and reasoning, rounded up.
    /// </summary>
    public static long HoldMicros(long inputTokens, long maxOutputTokens, ModelPrice price)
    {
        var inputPrice = Math.Max(Math.Max(price.InputPerMillionMicros, price.CachedInput), Math.Max(price.CacheWrite, price.CacheWrite1h));
        var outputPrice = Math.Max(price.OutputPerMillionMicros, price.Reasoning);
        var numerator = ((Int128)inputTokens * inputPrice) + ((Int128)maxOutputTokens * outputPrice);
        return (long)((numerator + 999_999) / 1_000_000);
    }

    private static Int128 DivideRoundHalfUp(Int128 numerator, long denominator) => (numerator + (denominator / 2)) / denominator;
}
