using System.Buffers;

namespace Gateway.Metering.Requests;

/// <summary>
/// Text built in a buffer rented from the shared pool, so the input text of a request can be handed to the tokenizer
/// as a span without a string or a builder on every request. Dispose returns the buffer.
/// </summary>
internal struct PooledText(int capacity) : IDisposable
{
    private char[] _chars = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 256));

    public int Length { get; private set; }

    public readonly ReadOnlySpan<char> Written => _chars.AsSpan(0, Length);

    /// <summary>Room for at least <paramref name="count"/> more chars, to be committed with <see cref="Advance"/>.</summary>
    public Span<char> Reserve(int count)
    {
        if (_chars.Length - Length < count)
        {
            var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, Length + count));
            Written.CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_chars);
            _chars = bigger;
        }

        return _chars.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Append(char c)
    {
        Reserve(1)[0] = c;
        Length++;
    }

    public void Dispose()
    {
        if (_chars.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_chars);
            _chars = [];
        }
    }
}
