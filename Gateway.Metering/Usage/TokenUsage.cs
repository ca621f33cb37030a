namespace Gateway.Metering.Usage;

/// <summary>
/// Token counts normalised to one convention (../shared/USAGE-FORMATS.md §0): <see cref="Input"/> includes cache reads
/// and writes, <see cref="Output"/> includes reasoning. <see cref="CacheWrite1h"/> is the part of the cache write kept
/// an hour (Anthropic), <see cref="ServerToolRequests"/> a count of requests, not tokens. Every count is clamped to
/// [0, <see cref="MaxCount"/>].
/// </summary>
internal readonly record struct TokenUsage(
    long Input,
    long Output,
    long CachedInput = 0,
    long CacheWrite = 0,
    long Reasoning = 0,
    long AudioInput = 0,
    long AudioOutput = 0,
    long CacheWrite1h = 0,
    long ServerToolRequests = 0)
{
    /// <summary>No single request can plausibly use more; larger values from an upstream are clamped.</summary>
    public const long MaxCount = 100_000_000;

    public long Total => Input + Output;

    public static TokenUsage Zero => default;

    /// <summary>Clamps every class to a sane range and keeps the parts inside their wholes.</summary>
    public TokenUsage Normalized()
    {
        var input = Clamp(Input);
        var output = Clamp(Output);
        return new TokenUsage(
            input,
            output,
            Math.Min(Clamp(CachedInput), input),
            Math.Min(Clamp(CacheWrite), input),
            Math.Min(Clamp(Reasoning), output),
            Math.Min(Clamp(AudioInput), input),
            Math.Min(Clamp(AudioOutput), output),
            Math.Min(Clamp(CacheWrite1h), Math.Min(Clamp(CacheWrite), input)),
            Clamp(ServerToolRequests));
    }

    private static long Clamp(long value) => value < 0 ? 0 : Math.Min(value, MaxCount);
}
