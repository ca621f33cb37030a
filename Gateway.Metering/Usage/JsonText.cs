using System.Text;
using System.Text.Json;

namespace Gateway.Metering.Usage;

/// <summary>
/// Strings read from upstream JSON, which can hold anything: <see cref="Utf8JsonReader.GetString"/> throws on invalid
/// UTF-8 and on escaped lone surrogates, so those are decoded leniently instead (U+FFFD, escapes kept as text).
/// </summary>
internal static class JsonText
{
    /// <summary>Longest value kept of a label (a model name, an event type).</summary>
    public const int MaxLabelLength = 256;

    public static string Read(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    /// <summary>A label stored in an event: bounded, control characters replaced (Postgres text refuses NUL).</summary>
    public static string ReadLabel(ref Utf8JsonReader reader)
    {
        var text = Read(ref reader);
        if (text.Length > MaxLabelLength)
        {
            text = text[..MaxLabelLength];
        }

        return Printable(text);
    }

    /// <summary>The text with every control character (C0, DEL, C1) replaced by U+FFFD.</summary>
    public static string Printable(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            return text;
        }

        return string.Create(text.Length, text, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = char.IsControl(source[i]) ? '\uFFFD' : source[i];
            }
        });
    }
}
