using System.Text.Json;

namespace Gateway.Metering.Requests;

/// <summary>
/// Reads the members of a request body that routing and metering need, in one pass with <see cref="Utf8JsonReader"/>,
/// and rejects bodies that are not a single JSON object.
/// </summary>
internal static class RequestInspector
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 128 };

    /// <summary>Returns the facts, or null with a client-facing reason when the body is not a valid JSON object.</summary>
    public static RequestFacts? Inspect(ReadOnlySpan<byte> body, out string? error)
    {
        error = null;
        string? model = null, user = null;
        bool stream = false, hasStreamOptions = false, includeUsage = false;
        long? maxTokens = null;
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
                    hasStreamOptions = reader.TokenType == JsonTokenType.StartObject;
                    includeUsage = hasStreamOptions && ReadIncludeUsage(ref reader);
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
        }
        catch (JsonException ex)
        {
            error = $"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}).";
            return null;
        }

        return new RequestFacts
        {
            Model = model,
            Stream = stream,
            HasStreamOptions = hasStreamOptions,
            IncludeUsage = includeUsage,
            User = user,
            MaxOutputTokens = maxTokens,
        };
    }

    private static bool ReadIncludeUsage(ref Utf8JsonReader reader)
    {
        var copy = reader; // look inside without moving the caller's reader
        var depth = copy.CurrentDepth;
        while (copy.Read() && copy.CurrentDepth > depth)
        {
            if (copy.TokenType == JsonTokenType.PropertyName && copy.CurrentDepth == depth + 1
                && copy.ValueTextEquals("include_usage"u8))
            {
                copy.Read();
                return copy.TokenType == JsonTokenType.True;
            }
        }

        return false;
    }
}
