using System.Text;

namespace Gateway.Metering.Usage;

/// <summary>What a capture learnt from a response body.</summary>
internal sealed class CaptureResult
{
    /// <summary>The provider's usage, normalised; null when the body carried none.</summary>
    public TokenUsage? Usage { get; set; }

    /// <summary>The usage block exactly as the provider sent it (compact JSON).</summary>
    public string? RawUsage { get; set; }

    /// <summary>The provider's usage covers input only: the stream failed before its final counts (Anthropic error
    /// after <c>message_start</c>). Output is then estimated from the delivered text.</summary>
    public bool UsagePartial { get; set; }

    public string? ServedModel { get; set; }

    /// <summary>An error object or error event arrived in the body.</summary>
    public bool ErrorSeen { get; set; }

    /// <summary>The body ended the way the API ends a whole answer (<c>[DONE]</c>, a terminal event, a whole JSON
    /// document); false for a cut stream.</summary>
    public bool Finished { get; set; }

    /// <summary>Text delivered to the client, for estimating output when usage is missing (bounded: see
    /// <see cref="Usage.DeliveredText"/>).</summary>
    public DeliveredText DeliveredText { get; } = new();

    /// <summary>Largest usage block kept as <see cref="RawUsage"/>: real ones are well under 1 KB; a hostile upstream's
    /// megabytes would bloat every copy of the event. The counts are read all the same.</summary>
    public const int MaxRawUsageBytes = 16 * 1024;

    internal void TakeUsage(byte[]? usage)
    {
        if (usage is null)
        {
            return;
        }

        Usage = OpenAiUsageReader.Read(usage);
        KeepRawUsage(usage);
    }

    /// <summary>Keeps the block (compact JSON written by the scanner, so always valid) unless it is oversized.</summary>
    internal void KeepRawUsage(ReadOnlySpan<byte> usage)
        => RawUsage = usage.Length <= MaxRawUsageBytes ? Encoding.UTF8.GetString(usage) : null;
}
