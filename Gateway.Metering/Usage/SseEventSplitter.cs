using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// Cuts a server-sent-events byte stream into whole events, each with its raw bytes exactly as sent (terminating
/// blank line included), so a caller can pass an event on untouched, rewrite it or drop it. Accepts LF, CR and CRLF
/// line ends (USAGE-FORMATS.md §5.3, fixture 20). Holds at most one incomplete event, and a buffer only while it
/// does: once every event read so far has been taken, the buffer goes back to the pool, so thousands of open streams
/// waiting for their next token hold none (a stream's chunks usually arrive as whole events).
/// </summary>
internal sealed class SseEventSplitter : IDisposable
{
    /// <summary>An event larger than this is passed on as it stands instead of being held back.</summary>
    public const int MaxEventBytes = 8 * 1024 * 1024;

    private const int InitialBytes = 8192;

    private byte[] _buffer = [];
    private int _length;
    private int _eventStart;
    private int _lineStart;
    private int _scan;

    /// <summary>Whether a pooled buffer is held (only while an incomplete event is).</summary>
    public bool HoldsBuffer => _buffer.Length > 0;

    /// <summary>Bytes held back: an event whose end has not arrived yet.</summary>
    public int Pending => _length - _eventStart;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length == 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(InitialBytes, bytes.Length));
        }

        Compact();
        if (_length + bytes.Length > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes.Length));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Takes the next complete event; false when the rest is incomplete. When <paramref name="final"/>,
    /// a trailing CR counts as a line end, since no LF can follow it.</summary>
    public bool TryTakeEvent(bool final, out ReadOnlySpan<byte> rawEvent)
    {
        while (_scan < _length)
        {
            var found = _buffer.AsSpan(_scan, _length - _scan).IndexOfAny((byte)'\r', (byte)'\n');
            if (found < 0)
            {
                _scan = _length;
                break;
            }

            var lineEnd = _scan + found;
            int next;
            if (_buffer[lineEnd] == (byte)'\r')
            {
                if (lineEnd + 1 < _length)
                {
                    next = _buffer[lineEnd + 1] == (byte)'\n' ? lineEnd + 2 : lineEnd + 1;
                }
                else if (final)
                {
                    next = lineEnd + 1;
                }
                else
                {
                    _scan = lineEnd; // CR at the end: wait to see whether LF follows
                    break;
                }
            }
            else
            {
                next = lineEnd + 1;
            }

            var empty = lineEnd == _lineStart;
            _lineStart = next;
            _scan = next;
            if (empty)
            {
                rawEvent = _buffer.AsSpan(_eventStart, next - _eventStart);
                _eventStart = next;
                return true;
            }
        }

        if (!final && Pending > MaxEventBytes)
        {
            // A runaway event: hand it on rather than hold unbounded bytes.
            rawEvent = _buffer.AsSpan(_eventStart, _length - _eventStart);
            _eventStart = _length;
            _lineStart = _length;
            _scan = _length;
            return true;
        }

        rawEvent = default;
        if (Pending == 0)
        {
            Release(); // nothing held back: no span of the buffer is out (the caller asks again only when done)
        }

        return false;
    }

    /// <summary>The incomplete event left at the end of the stream (no blank line after it).</summary>
    public ReadOnlySpan<byte> TakeRemainder()
    {
        var rest = _buffer.AsSpan(_eventStart, _length - _eventStart);
        _eventStart = _length;
        _lineStart = _length;
        _scan = _length;
        return rest;
    }

    private void Compact()
    {
        if (_eventStart == 0)
        {
            return;
        }

        var rest = _length - _eventStart;
        _buffer.AsSpan(_eventStart, rest).CopyTo(_buffer);
        _scan -= _eventStart;
        _lineStart -= _eventStart;
        _length = rest;
        _eventStart = 0;
    }

    public void Dispose() => Release();

    private void Release()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        _length = 0;
        _eventStart = 0;
        _lineStart = 0;
        _scan = 0;
    }
}
