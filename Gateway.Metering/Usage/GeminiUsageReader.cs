using System.Text.Json;

namespace Gateway.Metering.Usage;

/// <summary>
/// Gemini <c>usageMetadata</c> (USAGE-FORMATS.md §5.2): cached content is a subset of the prompt; candidates exclude
/// thoughts. input = prompt + toolUsePrompt, output = candidates + thoughts, reasoning = thoughts. Absent fields are 0.
/// </summary>
internal static class GeminiUsageReader
{
    public static TokenUsage Read(ReadOnlySpan<byte> usageJson)
    {
        long prompt = 0, toolUse = 0, cached = 0, candidates = 0, thoughts = 0;
        var reader = new Utf8JsonReader(usageJson);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return TokenUsage.Zero;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("promptTokenCount"u8))
            {
                prompt = OpenAiUsageReader.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("toolUsePromptTokenCount"u8))
            {
                toolUse = OpenAiUsageReader.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
            {
                cached = OpenAiUsageReader.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("candidatesTokenCount"u8))
            {
                candidates = OpenAiUsageReader.ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
            {
                thoughts = OpenAiUsageReader.ReadCount(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(prompt + toolUse, candidates + thoughts, cached, 0, thoughts).Normalized();
    }
}
