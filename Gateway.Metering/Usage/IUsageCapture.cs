namespace Gateway.Metering.Usage;

/// <summary>
/// Watches one response body on its way to the client and learns its usage. One implementation per wire format;
/// the seam where other providers' APIs plug in.
/// </summary>
internal interface IUsageCapture : IDisposable
{
    /// <summary>Observes a piece of the body and returns what the client must get now: the same memory when
    /// nothing is changed, or bytes owned by the capture and valid until the next call.</summary>
    ReadOnlyMemory<byte> Observe(ReadOnlyMemory<byte> piece);

    /// <summary>The upstream body ended; returns bytes still held back that the client must get.</summary>
    ReadOnlyMemory<byte> Complete();

    /// <summary>The bytes last returned have been written: buffers go back to the pool until the next piece (what was
    /// returned is no longer valid).</summary>
    void Release();

    CaptureResult Result { get; }
}
