using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// Gemini <c>streamGenerateContent?alt=sse</c> (USAGE-FORMATS.md §5.3): data-only events, CRLF or LF, no
/// <c>[DONE]</c>; every chunk carries running totals in <c>usageMetadata</c>, so the last one wins. An
/// <c>error</c> object in a chunk is how a failure mid-stream shows. Bytes pass unchanged.
/// </summary>
internal sealed class GeminiStreamCapture() : SseCapture(TextCapture.Gemini)
{
    private byte[]? _usage;

    protected override void OnEvent(ReadOnlySpan<byte> raw, SseEvent sse, IBufferWriter<byte> output)
    {
        output.Write(raw);
        Scanner.Reset(TextCapture.Gemini);
        Scanner.Feed(sse.Data, isFinal: true);
        _usage = Scanner.Usage ?? _usage;
        Result.ErrorSeen |= Scanner.HasError;
        Result.ServedModel ??= Scanner.Model;
    }

    protected override void Finish()
    {
        if (_usage is not null)
        {
            Result.Usage = GeminiUsageReader.Read(_usage);
            Result.KeepRawUsage(_usage);
            Result.Finished = !Result.ErrorSeen;
        }
    }
}
