namespace Gateway.Metering.Rating;

/// <summary>
/// One tier of a tiered price: the class prices (micro-USD per million tokens) for the tenant's tokens of the model in
/// the billing month up to <see cref="UpTo"/> (exclusive; null: no upper end). Null classes fall back as in
/// <see cref="ModelPrice"/>.
/// </summary>
internal sealed record PriceTier(
    long? UpTo,
    long InputPerMillionMicros,
    long OutputPerMillionMicros,
    long? CachedInputPerMillionMicros = null,
    long? CacheWritePerMillionMicros = null,
    long? ReasoningPerMillionMicros = null,
    long? CacheWrite1hPerMillionMicros = null,
    long? ServerToolRequestMicros = null)
{
    public ModelPrice Apply(ModelPrice price) => price with
    {
        InputPerMillionMicros = InputPerMillionMicros,
        OutputPerMillionMicros = OutputPerMillionMicros,
        CachedInputPerMillionMicros = CachedInputPerMillionMicros,
        CacheWritePerMillionMicros = CacheWritePerMillionMicros,
        ReasoningPerMillionMicros = ReasoningPerMillionMicros,
        CacheWrite1hPerMillionMicros = CacheWrite1hPerMillionMicros,
        ServerToolRequestMicros = ServerToolRequestMicros,
        Tiers = null,
    };
}
