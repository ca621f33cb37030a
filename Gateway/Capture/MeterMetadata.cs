namespace Gateway.Capture;

/// <summary>
/// <c>X-Meter-*</c> request headers other than feature, environment and trace id become the event's metadata:
/// name lower-cased without the prefix. Bounded so a client cannot bloat events: 16 entries, 256 chars a value.
/// </summary>
internal static class MeterMetadata
{
    private const string Prefix = "X-Meter-";
    private const int MaxEntries = 16;
    private const int MaxValueLength = 256;

    public static IReadOnlyDictionary<string, string>? From(IHeaderDictionary headers)
    {
        Dictionary<string, string>? metadata = null;
        foreach (var (name, values) in headers)
        {
            if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || name.Length == Prefix.Length)
            {
                continue;
            }

            var key = name[Prefix.Length..].ToLowerInvariant();
            if (key is "feature" or "environment" or "trace-id")
            {
                continue;
            }

            metadata ??= new Dictionary<string, string>(StringComparer.Ordinal);
            if (metadata.Count >= MaxEntries)
            {
                break;
            }

            metadata[key] = Bound(values.ToString())!;
        }

        return metadata;
    }

    public static string? Bound(string? value) => value is { Length: > MaxValueLength } ? value[..MaxValueLength] : value;
}
