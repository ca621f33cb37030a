using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// A growable byte buffer from the shared pool that is given back whenever its bytes are no longer needed
/// (<see cref="Release"/>), not kept for its owner's life: a stream's capture holds none while it waits for the next
/// token, which thousands of open streams do most of the time; an event's JSON (<see cref="Events.PooledEventJson"/>)
/// goes back once Redis has answered.
/// </summary>
internal sealed class PooledBufferWriter(int initialSize = 4096) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = [];
    private int _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Whether a pooled array is held now.</summary>
    public bool HoldsBuffer => _buffer.Length > 0;

    public void ResetWrittenCount() => _written = 0;

    /// <summary>Gives the array back to the pool: what was written is gone, and memory handed out is no longer valid.</summary>
    public void Release()
    {
        _written = 0;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Grow(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public void Dispose() => Release();

    private void Grow(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(initialSize, _buffer.Length * 2)));
        if (_buffer.Length > 0)
        {
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
