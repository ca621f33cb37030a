namespace Gateway.Metering.Rating;

/// <summary>
/// One version of a model's prices, in micro-USD per million tokens (server tool requests: per request). Null classes
/// fall back (issue #3): cached input and cache write to the input price, reasoning to the output price, an hour-long
/// cache write to the cache-write price (issue #5).
/// </summary>
internal sealed record ModelPrice(
    string Model,
    int Version,
    long InputPerMillionMicros,
    long OutputPerMillionMicros,
    long? CachedInputPerMillionMicros,
    long? CacheWritePerMillionMicros,
    long? ReasoningPerMillionMicros,
    long? CacheWrite1hPerMillionMicros = null,
    long? ServerToolRequestMicros = null)
{
    public long CachedInput => CachedInputPerMillionMicros ?? InputPerMillionMicros;

    public long CacheWrite => CacheWritePerMillionMicros ?? InputPerMillionMicros;

    public long Reasoning => ReasoningPerMillionMicros ?? OutputPerMillionMicros;

    /// <summary>An hour-long cache write; falls back to the cache-write price.</summary>
    public long CacheWrite1h => CacheWrite1hPerMillionMicros ?? CacheWrite;

    /// <summary>Micro-USD per server tool request (web search, fetch); none: free.</summary>
    public long ServerToolRequest => ServerToolRequestMicros ?? 0;

    /// <summary>The price of a model nobody priced, when unpriced models are allowed: everything free.</summary>
    public static ModelPrice Free(string model) => new(model, 0, 0, 0, null, null, null);
}
