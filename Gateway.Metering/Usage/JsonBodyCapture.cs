namespace Gateway.Metering.Usage;

/// <summary>A whole (non-streamed) JSON answer: bytes pass untouched while the scanner reads them.</summary>
internal sealed class JsonBodyCapture : IUsageCapture
{
    private readonly JsonResponseScanner _scanner;

    public JsonBodyCapture(TextCapture textCapture)
    {
        _scanner = new JsonResponseScanner(textCapture, Result.DeliveredText);
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
        Result.TakeUsage(_scanner.Usage ?? _scanner.GroqUsage);
        Result.ServedModel = _scanner.Model;
        Result.ErrorSeen = _scanner.HasError;
        Result.Finished = !_scanner.Invalid;
        Result.DeliveredTextOverflowChars = _scanner.TextOverflowChars;
        return ReadOnlyMemory<byte>.Empty;
    }

    public void Dispose() => _scanner.Dispose();
}
