using System.Collections.Concurrent;

namespace Gateway.Telemetry;

/// <summary>
/// Keeps a metric label's cardinality bounded: the first <c>max</c> distinct values are used as they are, any later
/// one becomes <c>other</c>. A model name comes from the client when unpriced models are allowed, so it cannot be
/// trusted to stay few. Lookups of known values allocate nothing.
/// </summary>
internal sealed class LabelCap(int max)
{
    public const string Other = "other";

    private readonly ConcurrentDictionary<string, string> _values = new(StringComparer.Ordinal);

    public string Of(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "none";
        }

        if (_values.TryGetValue(value, out var known))
        {
            return known;
        }

        return _values.Count < max ? _values.GetOrAdd(value, value) : Other;
    }
}
