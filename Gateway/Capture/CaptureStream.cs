using Gateway.Metering.Usage;

namespace Gateway.Capture;

/// <summary>
/// Stands in for the response body while YARP copies the upstream answer: every piece goes to the client as soon as
/// it arrives (only a held-back partial SSE event waits for its end), and the usage capture sees it on the way.
/// The capture is picked at the first write, when status and content type are known.
/// </summary>
internal sealed class CaptureStream(Stream inner, HttpResponse response, ApiKind api, bool stripInjectedUsage, TimeProvider time, long startedAt, bool drain = false, TokenEstimator? estimator = null, string? model = null) : Stream
{
    private IUsageCapture? _capture;

    /// <summary>Draining: the client left, the upstream is still read to its end for its usage (bytes discarded).</summary>
    public bool ClientLeft { get; private set; }

    /// <summary>Marks the client gone (its connection aborted) so later bytes are discarded, not written.</summary>
    public void OnClientLeft() => ClientLeft = true;

    /// <summary>When the first byte was handed to the client (a <see cref="TimeProvider"/> timestamp).</summary>
    public long? FirstByteAt { get; private set; }

    public bool Streamed { get; private set; }

    public long StartedAt => startedAt;

    /// <summary>Whether the capture holds a pooled buffer now; between pieces of a stream, only for an event not yet whole.</summary>
    public bool HoldsBuffers => (_capture as SseCapture)?.HoldsBuffers == true;

    /// <summary>Ends the capture; writes any held-back bytes (a cut SSE event) unless the client is gone.</summary>
    public async Task<CaptureResult?> CompleteAsync(bool clientGone)
    {
        if (_capture is null)
        {
            return null;
        }

        var rest = _capture.Complete();
        if (!rest.IsEmpty && !clientGone)
        {
            try
            {
                await inner.WriteAsync(rest);
                await inner.FlushAsync();
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client left while we wrote the tail; the event still records what was delivered.
            }
        }

        return _capture.Result;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var capture = _capture ??= Start();
        var toClient = capture.Observe(buffer);
        try
        {
            if (toClient.IsEmpty)
            {
                return;
            }

            FirstByteAt ??= time.GetTimestamp();
            if (ClientLeft)
            {
                return; // draining: nobody to write to
            }

            await inner.WriteAsync(toClient, cancellationToken);
        }
        catch (Exception ex) when (drain && ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            ClientLeft = true; // keep reading the upstream for its final usage
        }
        finally
        {
            capture.Release(); // written: an open stream waiting for its next token holds no buffer of ours
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
        => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (ClientLeft)
        {
            return;
        }

        try
        {
            await inner.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (drain && ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            ClientLeft = true;
        }
    }

    public override void Flush() => inner.Flush();

    private IUsageCapture Start()
    {
        Streamed = response.ContentType?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
        var capture = UsageCaptures.Create(api, Streamed, stripInjectedUsage && Streamed);
        if (estimator is not null)
        {
            capture.Result.DeliveredText.CountWith(estimator, model); // long answers are counted as they pass
        }

        return capture;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _capture?.Dispose();
        }

        base.Dispose(disposing);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
