using System.Text.Json;

namespace Gateway.Metering.Usage;

/// <summary>
/// Reads an OpenAI-shaped usage object: Chat Completions and legacy completions (<c>prompt_tokens</c>,
/// <c>completion_tokens</c>), Responses (<c>input_tokens</c>, <c>output_tokens</c>) and embeddings. Cached tokens are
/// a subset of input and reasoning a subset of output (USAGE-FORMATS.md §1.1, §2.1), which is already our convention.
/// </summary>
internal static class OpenAiUsageReader
{
    public static TokenUsage Read(ReadOnlySpan<byte> usageJson)
    {
        long input = 0, output = 0, cached = 0, cacheWrite = 0, reasoning = 0, audioIn = 0, audioOut = 0;
        var reader = new Utf8JsonReader(usageJson);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return TokenUsage.Zero;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                input = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                output = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                long inputReasoning = 0; // not an input class; read and dropped
                ReadDetails(ref reader, ref cached, ref cacheWrite, ref audioIn, ref inputReasoning);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
            {
                reader.Read();
                long ignoredCached = 0, ignoredWrite = 0;
                ReadDetails(ref reader, ref ignoredCached, ref ignoredWrite, ref audioOut, ref reasoning);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(input, output, cached, cacheWrite, reasoning, audioIn, audioOut).Normalized();
    }

    private static void ReadDetails(ref Utf8JsonReader reader, ref long cached, ref long cacheWrite, ref long audio, ref long reasoning)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("cached_tokens"u8))
            {
                cached = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cache_write_tokens"u8))
            {
                cacheWrite = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("audio_tokens"u8))
            {
                audio = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("reasoning_tokens"u8))
            {
                reasoning = ReadCount(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Reads the value after a property name as a token count; anything that is not a finite number is 0.</summary>
    internal static long ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.Number)
        {
            reader.Skip();
            return 0;
        }

        return ToCount(ref reader);
    }

    /// <summary>The number the reader is on as a count: 12.0, 1e3 or absurdly large numbers give their integral part,
    /// clamped to [-1, <see cref="TokenUsage.MaxCount"/>] (negatives are made 0 by <see cref="TokenUsage.Normalized"/>).</summary>
    internal static long ToCount(ref Utf8JsonReader reader)
    {
        if (reader.TryGetInt64(out var value))
        {
            return value;
        }

        return reader.TryGetDouble(out var d) && double.IsFinite(d)
            ? (long)Math.Clamp(Math.Floor(d), -1, TokenUsage.MaxCount)
            : 0;
    }
}
