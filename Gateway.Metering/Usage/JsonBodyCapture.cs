namespace Gateway.Metering.Usage;

/// <summary>A whole (non-streamed) JSON answer: bytes pass untouched while the scanner reads them.</summary>
internal sealed class JsonBodyCapture : IUsageCapture
{
    private readonly JsonResponseScanner _scanner;
    private readonly ApiKind _api;

    public JsonBodyCapture(TextCapture textCapture, ApiKind api = ApiKind.ChatCompletions)
    {
        _scanner = new JsonResponseScanner(textCapture, Result.DeliveredText);
        _api = api;
    }

    public CaptureResult Result { get; } = new();

    public ReadOnlyMemory<byte> Observe(ReadOnlyMemory<byte> piece)
    {
        _scanner.Feed(piece.Span, isFinal: false);
        return piece;
    }

    public ReadOnlyMemory<byte> Complete()
    {
        _scanner.Feed([], isFinal: true);
        var usage = _scanner.Usage ?? _scanner.GroqUsage;
        switch (_api)
        {
            case ApiKind.AnthropicMessages when usage is not null:
                var anthropic = new AnthropicUsage();
                anthropic.Apply(usage);
                Result.Usage = anthropic.ToUsage();
                Result.RawUsage = anthropic.ToJson();
                break;
            case ApiKind.GeminiGenerateContent when usage is not null:
                Result.Usage = GeminiUsageReader.Read(usage);
                Result.KeepRawUsage(usage);
                break;
            default:
                Result.TakeUsage(usage);
                break;
        }

        Result.ServedModel = _scanner.Model;
        Result.ErrorSeen = _scanner.HasError;
        Result.Finished = !_scanner.Invalid;
        return ReadOnlyMemory<byte>.Empty;
    }

    public void Release()
    {
        // Nothing to give back: it hands the client the upstream's own bytes.
    }

    public void Dispose() => _scanner.Dispose();
}
