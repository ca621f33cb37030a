namespace Gateway.Metering.Rating;

/// <summary>
/// One version of a model's prices, in micro-USD per million tokens (server tool requests: per request). Null classes
/// fall back (issue #3): cached input and cache write to the input price, reasoning to the output price, an hour-long
/// cache write to the cache-write price (issue #5). A version belongs to a <see cref="Scope"/> (everyone, a plan or a
/// tenant) and applies from <see cref="EffectiveFrom"/> until the next version of its scope does (issue #6). With
/// <see cref="Tiers"/>, the class prices above are the first tier's.
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
    /// <summary>The row id in Postgres; what an event records to say exactly which price rated it.</summary>
    public long Id { get; init; }

    /// <summary><see cref="PriceScope"/>: "" (everyone), "plan:&lt;id&gt;" or "tenant:&lt;id&gt;".</summary>
    public string Scope { get; init; } = PriceScope.Global;

    public DateTimeOffset EffectiveFrom { get; init; }

    public TierMode TierMode { get; init; } = TierMode.Graduated;

    /// <summary>Ascending by <see cref="PriceTier.UpTo"/>, the last one open (null); null or empty: one flat price.</summary>
    public IReadOnlyList<PriceTier>? Tiers { get; init; }

    public bool IsTiered => Tiers is { Count: > 1 };

    public long CachedInput => CachedInputPerMillionMicros ?? InputPerMillionMicros;

    public long CacheWrite => CacheWritePerMillionMicros ?? InputPerMillionMicros;

    public long Reasoning => ReasoningPerMillionMicros ?? OutputPerMillionMicros;

    /// <summary>An hour-long cache write; falls back to the cache-write price.</summary>
    public long CacheWrite1h => CacheWrite1hPerMillionMicros ?? CacheWrite;

    /// <summary>Micro-USD per server tool request (web search, fetch); none: free.</summary>
    public long ServerToolRequest => ServerToolRequestMicros ?? 0;

    /// <summary>The class prices of tier <paramref name="index"/> (this price itself when not tiered).</summary>
    public ModelPrice Tier(int index) => Tiers is { Count: > 0 } tiers ? tiers[index].Apply(this) : this;

    public int TierCount => Tiers is { Count: > 0 } tiers ? tiers.Count : 1;

    /// <summary>The tier the token at 0-based <paramref name="position"/> of the month falls in.</summary>
    public int TierAt(long position)
    {
        if (Tiers is not { Count: > 0 } tiers)
        {
            return 0;
        }

        for (var i = 0; i < tiers.Count; i++)
        {
            if (tiers[i].UpTo is not { } upTo || position < upTo)
            {
                return i;
            }
        }

        return tiers.Count - 1;
    }

    /// <summary>The price of a model nobody priced, when unpriced models are allowed: everything free.</summary>
    public static ModelPrice Free(string model) => new(model, 0, 0, 0, null, null, null);
}
