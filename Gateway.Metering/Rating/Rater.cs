using Gateway.Metering.Usage;

namespace Gateway.Metering.Rating;

/// <summary>Tokens × prices → micro-USD. Exact integer arithmetic, one rounding per event.</summary>
internal static class Rater
{
    /// <summary>
    /// uncached input × input + cached × cached price + cache write × cache-write price + (output − reasoning) × output
    /// + reasoning × reasoning price, in micro-USD, rounded half away from zero once (issue #3).
    /// </summary>
    public static long CostMicros(TokenUsage usage, ModelPrice price)
    {
        var uncached = Math.Max(0, usage.Input - usage.CachedInput - usage.CacheWrite);
        var visibleOutput = Math.Max(0, usage.Output - usage.Reasoning);
        var numerator = ((Int128)uncached * price.InputPerMillionMicros)
            + ((Int128)usage.CachedInput * price.CachedInput)
            + ((Int128)usage.CacheWrite * price.CacheWrite)
            + ((Int128)visibleOutput * price.OutputPerMillionMicros)
            + ((Int128)usage.Reasoning * price.Reasoning);
        return (long)DivideRoundHalfUp(numerator, 1_000_000);
    }

    /// <summary>
    /// The worst case of a request before it runs: every input token at the dearest input class and every possible
    /// output token at the dearer of output and reasoning, rounded up.
    /// </summary>
    public static long HoldMicros(long inputTokens, long maxOutputTokens, ModelPrice price)
    {
        var inputPrice = Math.Max(price.InputPerMillionMicros, Math.Max(price.CachedInput, price.CacheWrite));
        var outputPrice = Math.Max(price.OutputPerMillionMicros, price.Reasoning);
        var numerator = ((Int128)inputTokens * inputPrice) + ((Int128)maxOutputTokens * outputPrice);
        return (long)((numerator + 999_999) / 1_000_000);
    }

    private static Int128 DivideRoundHalfUp(Int128 numerator, long denominator) => (numerator + (denominator / 2)) / denominator;
}
