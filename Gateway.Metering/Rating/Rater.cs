using Gateway.Metering.Usage;

namespace Gateway.Metering.Rating;

/// <summary>Tokens × prices → micro-USD. Exact integer arithmetic, one rounding per event.</summary>
internal static class Rater
{
    private const long BasisPoints = 10_000;

    /// <summary>
    /// uncached input × input + cached × cached price + cache write × cache-write price (the hour-long part at its own
    /// price) + (output − reasoning) × output + reasoning × reasoning price + server tool requests × their price, in
    /// micro-USD, rounded half up once (issues #3, #5). Untiered, no markup.
    /// </summary>
    public static long CostMicros(TokenUsage usage, ModelPrice price) => Rate(usage, price, 0, 0);

    /// <summary>
    /// The cost of one event (issue #6). <paramref name="position"/> is the tenant's tokens of the model earlier in the
    /// billing month. Graduated tiers: the event's tokens take the next places of the month in the order of
    /// <see cref="TokenClass"/>, each at the tier its place falls in, so a request crossing a boundary is split.
    /// Volume tiers: all at the tier the month reaches with this event. Server tool requests take the tier of the
    /// event's first token. The markup (basis points) scales the whole; one half-up rounding at the end.
    /// <paramref name="lines"/>, when given, receives the parts (for invoices).
    /// </summary>
    public static long Rate(TokenUsage usage, ModelPrice price, long position, int markupBp, List<RatedLine>? lines = null)
    {
        var cacheWrite1h = Math.Min(usage.CacheWrite1h, usage.CacheWrite);
        var uncached = Math.Max(0, usage.Input - usage.CachedInput - usage.CacheWrite);
        var reasoning = Math.Min(usage.Reasoning, usage.Output);
        var visibleOutput = Math.Max(0, usage.Output - usage.Reasoning);
        Span<long> quantities = [usage.CachedInput, usage.CacheWrite - cacheWrite1h, cacheWrite1h, uncached, reasoning, visibleOutput];

        Int128 numerator = 0;
        var volumeTier = price.TierMode == TierMode.Volume
            ? price.TierAt(Math.Max(0, position + Sum(quantities) - 1))
            : -1;
        var place = position;
        for (var c = 0; c < quantities.Length; c++)
        {
            var left = quantities[c];
            while (left > 0)
            {
                var tier = volumeTier >= 0 ? volumeTier : price.TierAt(place);
                var take = volumeTier < 0 && price.Tiers is { Count: > 0 } tiers && tiers[tier].UpTo is { } upTo
                    ? Math.Min(left, upTo - place)
                    : left;
                var unit = UnitPrice(price.Tier(tier), (TokenClass)c);
                numerator += (Int128)take * unit;
                lines?.Add(new RatedLine((TokenClass)c, tier, take, unit));
                place += take;
                left -= take;
            }
        }

        if (usage.ServerToolRequests > 0)
        {
            var tier = volumeTier >= 0 ? volumeTier : price.TierAt(position);
            var unit = price.Tier(tier).ServerToolRequest;
            numerator += (Int128)usage.ServerToolRequests * unit * 1_000_000;
            lines?.Add(new RatedLine(TokenClass.ServerToolRequests, tier, usage.ServerToolRequests, unit));
        }

        return (long)DivideRoundHalfUp(numerator * (BasisPoints + markupBp), 1_000_000 * BasisPoints);
    }

    /// <summary>The tokens an event adds to its tenant's month of a model, for tier positions: every input and output
    /// token.</summary>
    public static long TierTokens(TokenUsage usage)
        => usage.CachedInput + usage.CacheWrite + Math.Max(0, usage.Input - usage.CachedInput - usage.CacheWrite)
            + Math.Min(usage.Reasoning, usage.Output) + Math.Max(0, usage.Output - usage.Reasoning);

    /// <summary>
    /// The worst case of a request before it runs: every input token at the dearest input class and every possible
    /// output token at the dearer of output and reasoning, in the dearest tier, with a markup, rounded up.
    /// </summary>
    public static long HoldMicros(long inputTokens, long maxOutputTokens, ModelPrice price, int markupBp = 0)
    {
        long inputPrice = 0, outputPrice = 0;
        for (var i = 0; i < price.TierCount; i++)
        {
            var tier = price.Tier(i);
            inputPrice = Math.Max(inputPrice, Math.Max(Math.Max(tier.InputPerMillionMicros, tier.CachedInput), Math.Max(tier.CacheWrite, tier.CacheWrite1h)));
            outputPrice = Math.Max(outputPrice, Math.Max(tier.OutputPerMillionMicros, tier.Reasoning));
        }

        var numerator = (((Int128)inputTokens * inputPrice) + ((Int128)maxOutputTokens * outputPrice)) * (BasisPoints + Math.Max(0, markupBp));
        const long denominator = 1_000_000 * BasisPoints;
        return (long)((numerator + denominator - 1) / denominator);
    }

    /// <summary>Micro-USD per million tokens of a class (per request for server tools).</summary>
    public static long UnitPrice(ModelPrice price, TokenClass tokenClass) => tokenClass switch
    {
        TokenClass.CachedInput => price.CachedInput,
        TokenClass.CacheWrite => price.CacheWrite,
        TokenClass.CacheWrite1h => price.CacheWrite1h,
        TokenClass.Input => price.InputPerMillionMicros,
        TokenClass.Reasoning => price.Reasoning,
        TokenClass.Output => price.OutputPerMillionMicros,
        _ => price.ServerToolRequest,
    };

    private static long Sum(ReadOnlySpan<long> values)
    {
        long sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static Int128 DivideRoundHalfUp(Int128 numerator, long denominator) => (numerator + (denominator / 2)) / denominator;
}
