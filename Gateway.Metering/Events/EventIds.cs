using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Metering.Events;

/// <summary>
/// Mints event ids: UUIDv7 (RFC 9562 §5.7) with the 12-bit counter of §6.2 method 1 in <c>rand_a</c>, so ids from
/// one process sort in the order they were minted even within a millisecond (<c>/admin/events</c> pages oldest
/// first by id). Guid.CreateVersion7 fills those bits at random, which is why it is not used.
/// </summary>
internal sealed class EventIds(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _lastMs;
    private int _counter;

    public Guid Next()
    {
        long ms;
        int counter;
        lock (_gate)
        {
            ms = time.GetUtcNow().ToUnixTimeMilliseconds();
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                if (++_counter > 0xFFF)
                {
                    ms = ++_lastMs; // counter exhausted: borrow the next millisecond (RFC 9562 §6.2)
                    _counter = 0;
                }
            }
            else
            {
                _lastMs = ms;
                _counter = 0;
            }

            counter = _counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
