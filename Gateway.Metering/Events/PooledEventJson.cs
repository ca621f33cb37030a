using System.Buffers;
using System.Text.Json;

namespace Gateway.Metering.Events;

/// <summary>
/// An event's JSON in a pooled buffer, for the Redis scripts that store it (two a request: the abandoned event at
/// admission, the event at settle), instead of a new array each time. The caller returns it with
/// <see cref="Dispose"/> only once Redis has answered: until then the client may still be writing it to the socket
/// (after a timeout it may write it later), so on a failure it is left to the garbage collector.
/// </summary>
internal sealed class PooledEventJson : IBufferWriter<byte>, IDisposable
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private byte[] _buffer;
    private int _written;

    private PooledEventJson(int size) => _buffer = ArrayPool<byte>.Shared.Rent(size);

    public ReadOnlyMemory<byte> Json => _buffer.AsMemory(0, _written);

    public static PooledEventJson Write(MeteringEvent meteringEvent)
    {
        var json = new PooledEventJson(2048);
        var writer = t_writer ??= new Utf8JsonWriter(json);
        writer.Reset(json);
        try
        {
            JsonSerializer.Serialize(writer, meteringEvent, EventJsonContext.Default.MeteringEvent);
        }
        finally
        {
            writer.Reset(); // the thread's writer keeps no reference to this buffer
        }

        return json;
    }

    public void Advance(int count) => _written += count;

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

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int sizeHint)
    {
        if (_buffer.Length - _written >= Math.Max(sizeHint, 1))
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
