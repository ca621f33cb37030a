using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Gateway.Metering.Usage;

/// <summary>
/// Anthropic Messages usage (USAGE-FORMATS.md §4): <c>message_start.message.usage</c>, then every
/// <c>message_delta.usage</c>, whose counters are cumulative whole-message totals: each field present overwrites,
/// never adds. <c>input_tokens</c> excludes cache reads and writes, so input = input + cache creation + cache read.
/// The cache-write split by TTL and server tool requests are kept in the compact usage block.
/// </summary>
internal sealed class AnthropicUsage
{
    /// <summary>Other counters kept of one message (for the raw block): Anthropic sends about ten; a hostile upstream
    /// could send millions.</summary>
    private const int MaxFields = 64;

    /// <summary>Longest counter name kept, nesting included (<c>parent.child</c>).</summary>
    private const int MaxNameLength = 64;

    /// <summary>The counters <see cref="ToUsage"/> reads: always kept, however many others came first.</summary>
    private static readonly HashSet<string> Counted = new(StringComparer.Ordinal)
    {
        "input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
        "output_tokens_details.thinking_tokens", "cache_creation.ephemeral_1h_input_tokens",
        "server_tool_use.web_search_requests", "server_tool_use.web_fetch_requests",
    };

    private readonly Dictionary<string, long> _fields = new(StringComparer.Ordinal);

    public bool Any => _fields.Count > 0;

    /// <summary>Overwrites every counter the usage object carries (nested ones as <c>parent.child</c>).</summary>
    public void Apply(ReadOnlySpan<byte> usageJson)
    {
        var reader = new Utf8JsonReader(usageJson);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return;
        }

        Read(ref reader, prefix: null);
    }

    public TokenUsage ToUsage()
    {
        var input = Get("input_tokens") + Get("cache_creation_input_tokens") + Get("cache_read_input_tokens");
        return new TokenUsage(
            input,
            Get("output_tokens"),
            CachedInput: Get("cache_read_input_tokens"),
            CacheWrite: Get("cache_creation_input_tokens"),
            Reasoning: Get("output_tokens_details.thinking_tokens"),
            CacheWrite1h: Get("cache_creation.ephemeral_1h_input_tokens"),
            ServerToolRequests: Get("server_tool_use.web_search_requests") + Get("server_tool_use.web_fetch_requests")).Normalized();
    }

    /// <summary>The merged block as compact JSON, nested objects restored.</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var group in _fields.GroupBy(f => f.Key.Contains('.') ? f.Key[..f.Key.IndexOf('.')] : string.Empty))
            {
                if (group.Key.Length == 0)
                {
                    foreach (var (name, value) in group)
                    {
                        writer.WriteNumber(name, value);
                    }
                }
                else
                {
                    writer.WriteStartObject(group.Key);
                    foreach (var (name, value) in group)
                    {
                        writer.WriteNumber(name[(group.Key.Length + 1)..], value);
                    }

                    writer.WriteEndObject();
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private long Get(string name) => _fields.TryGetValue(name, out var value) ? value : 0;

    private void Read(ref Utf8JsonReader reader, string? prefix)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = JsonText.Read(ref reader);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Number when prefix is null || !prefix.Contains('.'):
                    var key = prefix is null ? name : prefix + "." + name;
                    if (Counted.Contains(key) || (key.Length <= MaxNameLength && (_fields.Count < MaxFields || _fields.ContainsKey(key))))
                    {
                        _fields[key] = Math.Clamp(OpenAiUsageReader.ToCount(ref reader), 0, TokenUsage.MaxCount);
                    }

                    break;
                case JsonTokenType.StartObject when prefix is null:
                    Read(ref reader, name);
                    break;
                default:
                    reader.Skip(); // null (field absent this time: keep the last value), strings, deeper objects
                    break;
            }
        }
    }
}
