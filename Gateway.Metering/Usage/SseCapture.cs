using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// The shared part of every SSE capture: cuts the stream into whole events, lets the API-specific part look at each
/// and decide what the client gets, and passes a trailing incomplete event on as it was sent.
/// </summary>
internal abstract class SseCapture : IUsageCapture
{
    private readonly SseEventSplitter _splitter = new();
    private readonly PooledBufferWriter _scratch = new(1024);
    private readonly PooledBufferWriter _output = new(4096);

    protected SseCapture(TextCapture textCapture)
    {
        Scanner = new JsonResponseScanner(textCapture, Result.DeliveredText);
    }

    public CaptureResult Result { get; } = new();

    protected JsonResponseScanner Scanner { get; }

    public ReadOnlyMemory<byte> Observe(ReadOnlyMemory<byte> piece)
    {
        _output.ResetWrittenCount();
        _splitter.Append(piece.Span);
        Drain(final: false);
        return _output.WrittenMemory;
    }

    public ReadOnlyMemory<byte> Complete()
    {
        _output.ResetWrittenCount();
        Drain(final: true);
        _output.Write(_splitter.TakeRemainder()); // a cut event still reaches the client, byte for byte
        Finish();
        return _output.WrittenMemory;
    }

    /// <summary>Looks at one whole event and writes what the client gets into <paramref name="output"/>.</summary>
    protected abstract void OnEvent(ReadOnlySpan<byte> raw, SseEvent sse, IBufferWriter<byte> output);

    /// <summary>Sets the result's usage and flags once the stream has ended.</summary>
    protected abstract void Finish();

    private void Drain(bool final)
    {
        while (_splitter.TryTakeEvent(final, out var raw))
        {
            var sse = SseEvent.Parse(raw, _scratch);
            if (sse.DataLines == 0)
            {
                _output.Write(raw);
                continue;
            }

            OnEvent(raw, sse, _output);
        }
    }

    /// <summary>Whether any pooled buffer is held now (between pieces: only for an event not yet whole).</summary>
    public bool HoldsBuffers => _output.HoldsBuffer || _scratch.HoldsBuffer || _splitter.HoldsBuffer;

    public void Release()
    {
        _output.Release();
        _scratch.Release();
    }

    public void Dispose()
    {
        Release();
        _splitter.Dispose();
        Scanner.Dispose();
    }
}
