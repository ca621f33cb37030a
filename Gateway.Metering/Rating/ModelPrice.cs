namespace Gateway.Metering.Rating;

/// <summary>
/// One version of a model's prices, in micro-USD per million tokens. Null classes fall back (issue #3): cached input
/// and cache write to the input price, reasoning to the output price.
/// </summary>
internal sealed record ModelPrice(
    string Model,
    int Version,
    long InputPerMillionMicros,
    long OutputPerMillionMicros,
    long? CachedInputPerMillionMicros,
    long? CacheWritePerMillionMicros,
    long? ReasoningPerMillionMicros)
{
    public long CachedInput => CachedInputPerMillionMicros ?? InputPerMillionMicros;

    public long CacheWrite => CacheWritePerMillionMicros ?? InputPerMillionMicros;

    public long Reasoning => ReasoningPerMillionMicros ?? OutputPerMillionMicros;

    /// <summary>The price of a model nobody priced, when unpriced models are allowed: everything free.</summary>
    public static ModelPrice Free(string model) => new(model, 0, 0, 0, null, null, null);
}
