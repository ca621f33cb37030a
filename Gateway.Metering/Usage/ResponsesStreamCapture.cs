using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// Responses API streams (USAGE-FORMATS.md §2.2): usage comes only with <c>response.completed</c> or
/// <c>response.incomplete</c>; <c>response.failed</c> and <c>error</c> carry none. There is no <c>[DONE]</c>, but an
/// extra one is tolerated. Bytes pass unchanged.
/// </summary>
internal sealed class ResponsesStreamCapture() : SseCapture(TextCapture.ResponsesStreamEvent)
{
    private byte[]? _usage;

    protected override void OnEvent(ReadOnlySpan<byte> raw, SseEvent sse, IBufferWriter<byte> output)
    {
        output.Write(raw);
        if (sse.IsDone)
        {
            return;
        }

        Scanner.Reset(TextCapture.ResponsesStreamEvent);
        Scanner.Feed(sse.Data, isFinal: true);
        var type = Scanner.Type;
        switch (type)
        {
            case "response.completed" or "response.incomplete":
                _usage = Scanner.Usage ?? _usage;
                Result.Finished = true;
                break;
            case "response.failed" or "error":
                Result.ErrorSeen = true;
                Result.Finished = true;
                break;
        }

        Result.ServedModel ??= Scanner.Model;
    }

    protected override void Finish() => Result.TakeUsage(_usage);
}
