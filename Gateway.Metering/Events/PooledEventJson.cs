using System.Text.Json;
using Gateway.Metering.Usage;

namespace Gateway.Metering.Events;

/// <summary>
/// An event's JSON in a pooled buffer, for the Redis scripts that store it (two a request: the abandoned event at
/// admission, the event at settle), instead of a new array each time. The caller returns it with
/// <see cref="Dispose"/> only once Redis has answered: until then the client may still be writing it to the socket
/// (after a timeout it may write it later), so on a failure it is left to the garbage collector.
/// </summary>
internal sealed class PooledEventJson : IDisposable
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly PooledBufferWriter _buffer = new(2048);
    private int _disposed;

    private PooledEventJson()
    {
    }

    public ReadOnlyMemory<byte> Json => _buffer.WrittenMemory;

    public static PooledEventJson Write(MeteringEvent meteringEvent)
    {
        var json = new PooledEventJson();
        var writer = t_writer ??= new Utf8JsonWriter(json._buffer);
        writer.Reset(json._buffer);
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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _buffer.Release();
        }
    }
}
