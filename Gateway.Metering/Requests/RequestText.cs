using System.Text;
using System.Text.Json;

namespace Gateway.Metering.Requests;

/// <summary>
/// The text of a request that the model reads as input (messages, prompt, input, instructions, tool definitions),
/// for estimating input tokens when the provider reports none. Roles and part types count too, as they reach the
/// model as tokens.
/// </summary>
internal static class RequestText
{
    public static (string Text, int Messages) Extract(ReadOnlySpan<byte> body)
    {
        var text = new PooledText(body.Length);
        try
        {
            var messages = Extract(body, ref text);
            return (text.Written.ToString(), messages);
        }
        finally
        {
            text.Dispose();
        }
    }

    /// <summary>Writes the text into <paramref name="text"/> (no string per value: this runs on every admission)
    /// and returns the number of messages.</summary>
    public static int Extract(ReadOnlySpan<byte> body, ref PooledText text)
    {
        var messages = 0;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var counted = reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("input"u8)
                    || reader.ValueTextEquals("prompt"u8) || reader.ValueTextEquals("instructions"u8)
                    || reader.ValueTextEquals("tools"u8) || reader.ValueTextEquals("functions"u8)
                    || reader.ValueTextEquals("system"u8) || reader.ValueTextEquals("contents"u8)
                    || reader.ValueTextEquals("systemInstruction"u8);
                var isMessages = reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("contents"u8);
                reader.Read();
                if (!counted)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    AppendScalar(ref reader, ref text);
                    continue;
                }

                var depth = reader.CurrentDepth;
                while (reader.Read() && reader.CurrentDepth > depth)
                {
                    if (isMessages && reader.TokenType == JsonTokenType.StartObject && reader.CurrentDepth == depth + 1)
                    {
                        messages++;
                    }

                    AppendScalar(ref reader, ref text);
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Inspection already rejected invalid bodies (bad JSON, bad UTF-8, lone surrogates); keep what was read.
        }

        return messages;
    }

    private static void AppendScalar(ref Utf8JsonReader reader, ref PooledText text)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                AppendString(ref reader, ref text);
                text.Append('\n');
                break;
            case JsonTokenType.PropertyName when !reader.ValueTextEquals("type"u8) && !reader.ValueTextEquals("role"u8)
                && !reader.ValueTextEquals("content"u8) && !reader.ValueTextEquals("text"u8):
                // Tool schemas: the property names are part of what the model reads.
                AppendString(ref reader, ref text);
                text.Append(' ');
                break;
            case JsonTokenType.Number:
                text.Advance(Encoding.UTF8.GetChars(reader.ValueSpan, text.Reserve(reader.ValueSpan.Length)));
                text.Append(' ');
                break;
        }
    }

    // Unescaped UTF-16 never has more chars than the UTF-8 bytes it came from (the body is one span, never a sequence).
    private static void AppendString(ref Utf8JsonReader reader, ref PooledText text)
        => text.Advance(reader.CopyString(text.Reserve(reader.ValueSpan.Length)));
}
