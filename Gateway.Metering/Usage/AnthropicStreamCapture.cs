using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// Anthropic Messages streams (USAGE-FORMATS.md §4.3): usage starts at <c>message_start</c> and is overwritten by
/// every <c>message_delta</c>; <c>ping</c> is ignored; <c>event: error</c> after HTTP 200 ends the stream. Without a
/// <c>message_delta</c> the output count is only the provisional one: the usage is partial (input known, output to
/// be estimated from the text delivered). Bytes pass unchanged.
/// </summary>
internal sealed class AnthropicStreamCapture() : SseCapture(TextCapture.Anthropic)
{
    private readonly AnthropicUsage _usage = new();
    private bool _sawDelta;

    protected override void OnEvent(ReadOnlySpan<byte> raw, SseEvent sse, IBufferWriter<byte> output)
    {
        output.Write(raw);
        Scanner.Reset(TextCapture.Anthropic);
        Scanner.Feed(sse.Data, isFinal: true);
        if (Scanner.Usage is { } usage)
        {
            _usage.Apply(usage);
        }

        switch (Scanner.Type)
        {
            case "message_delta":
                _sawDelta = true;
                break;
            case "message_stop":
                Result.Finished = true;
                break;
            case "error":
                Result.ErrorSeen = true;
                break;
        }

        Result.ErrorSeen |= Scanner.HasError;
        Result.ServedModel ??= Scanner.Model;
    }

    protected override void Finish()
    {
        if (_usage.Any)
        {
            Result.Usage = _usage.ToUsage();
            Result.RawUsage = _usage.ToJson();
            Result.UsagePartial = !_sawDelta;
        }
    }
}
