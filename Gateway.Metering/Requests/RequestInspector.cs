using System.Text.Json;
using System.Text.Unicode;
using Gateway.Metering.Usage;

namespace Gateway.Metering.Requests;

/// <summary>
/// Reads the members of a request body that routing and metering need, in one pass with <see cref="Utf8JsonReader"/>,
/// and rejects bodies the gateway could read differently from the provider: not a single JSON object, deeper than
/// <see cref="MaxDepth"/>, not UTF-8, an escaped lone surrogate, or a top-level (or <c>stream_options</c>) member
/// given twice (the gateway would meter one <c>model</c> while the provider served the other).
/// </summary>
internal static class RequestInspector
{
    /// <summary>Deepest nesting accepted. Tool schemas nest, but nothing a provider takes comes near this.</summary>
    public const int MaxDepth = 128;

    /// <summary>Longest model name accepted (provider model and deployment names are well under 100).</summary>
    public const int MaxModelLength = 256;

    /// <summary>The <c>user</c> kept for the event (the body is forwarded as sent): this long at most, control
    /// characters replaced, since Postgres text refuses NUL.</summary>
    public const int MaxUserLength = 256;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>Returns the facts, or null with a client-facing reason when the body is not a valid JSON object.</summary>
    public static RequestFacts? Inspect(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        if (!Utf8.IsValid(body))
        {
            // The reader does not check UTF-8 inside strings; a string it cannot decode would fail later, mid-request.
            error = "The request body is not valid UTF-8.";
            return null;
        }

        string? model = null, user = null;
        bool stream = false, hasStreamOptions = false, includeUsage = false;
        long? maxTokens = null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "The request body must be a JSON object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!names.Add(reader.GetString()!))
                {
                    error = $"The request body names '{Printable(reader.GetString()!)}' twice.";
                    return null;
                }

                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("stream_options"u8))
                {
                    reader.Read();
                    hasStreamOptions = true;
                    if (reader.TokenType == JsonTokenType.StartObject && !ReadStreamOptions(ref reader, out includeUsage))
                    {
                        error = "The request body's 'stream_options' names a member twice.";
                        return null;
                    }

                    reader.Skip();
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    reader.Read();
                    user = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("max_tokens"u8) || reader.ValueTextEquals("max_completion_tokens"u8)
                    || reader.ValueTextEquals("max_output_tokens"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value > 0)
                    {
                        maxTokens = value;
                    }

                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.Read())
            {
                error = "The request body must hold exactly one JSON object.";
                return null;
            }

            if (MayHoldSurrogateEscape(body) && HasLoneSurrogate(body))
            {
                error = "The request body holds an escaped lone surrogate (\\uD800-\\uDFFF without its pair).";
                return null;
            }
        }
        catch (JsonException ex)
        {
            error = $"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).";
            return null;
        }
        catch (InvalidOperationException)
        {
            // GetString on a name or value with an escaped lone surrogate.
            error = "The request body holds an escaped lone surrogate (\\uD800-\\uDFFF without its pair).";
            return null;
        }

        if (model is not null && (model.Length > MaxModelLength || JsonText.Printable(model) != model))
        {
            error = $"'model' must be at most {MaxModelLength} characters, none of them a control character.";
            return null;
        }

        return new RequestFacts
        {
            Model = model,
            Stream = stream,
            HasStreamOptions = hasStreamOptions,
            IncludeUsage = includeUsage,
            User = user is null ? null : JsonText.Printable(user.Length > MaxUserLength ? user[..MaxUserLength] : user),
            MaxOutputTokens = maxTokens,
        };
    }

    /// <summary>Reads <c>include_usage</c> of the <c>stream_options</c> object the reader is on, without moving it;
    /// false when a member of it is named twice.</summary>
    private static bool ReadStreamOptions(ref Utf8JsonReader reader, out bool includeUsage)
    {
        includeUsage = false;
        var copy = reader;
        var depth = copy.CurrentDepth;
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (copy.Read() && copy.CurrentDepth > depth)
        {
            if (copy.TokenType == JsonTokenType.PropertyName && copy.CurrentDepth == depth + 1)
            {
                if (!names.Add(copy.GetString()!))
                {
                    return false;
                }

                if (copy.ValueTextEquals("include_usage"u8))
                {
                    copy.Read();
                    includeUsage = copy.TokenType == JsonTokenType.True;
                }
            }
        }

        return true;
    }

    /// <summary>Cheap prefilter: only a <c>\uD…</c> escape can be a surrogate. Almost no body has one.</summary>
    private static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> body)
    {
        for (var at = body.IndexOf("\\u"u8); at >= 0 && at + 2 < body.Length; at = NextEscape(body, at + 2))
        {
            if (body[at + 2] is (byte)'d' or (byte)'D')
            {
                return true;
            }
        }

        return false;

        static int NextEscape(ReadOnlySpan<byte> body, int from)
        {
            var next = body[from..].IndexOf("\\u"u8);
            return next < 0 ? -1 : from + next;
        }
    }

    /// <summary>Decodes every escaped string; the reader throws on a lone surrogate.</summary>
    private static bool HasLoneSurrogate(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, Options);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (InvalidOperationException)
        {
            return true;
        }

        return false;
    }

    private static string Printable(string name) => name.Length > 64 ? name[..64] + "…" : name;
}
