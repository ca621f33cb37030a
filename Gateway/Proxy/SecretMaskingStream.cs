namespace Gateway.Proxy;

/// <summary>
/// Reads an upstream body with every occurrence of a secret (the provider's key) overwritten by <c>*</c>, the same
/// length, so a copied Content-Length stays right. Holds back at most the key's length less one byte between reads
/// (a key split across reads is still found). Used on error answers, where providers may echo the key.
/// </summary>
internal sealed class SecretMaskingStream(Stream inner, byte[] secret) : Stream
{
    private readonly byte[] _buffer = new byte[Math.Max(16 * 1024, secret.Length * 4)];
    private int _start;
    private int _end;
    private bool _ended;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            // Bytes that cannot be the start of a key still arriving.
            var safe = _ended ? _end - _start : Math.Max(0, _end - _start - (secret.Length - 1));
            if (safe > 0 || (_ended && safe == 0) || destination.IsEmpty)
            {
                var count = Math.Min(safe, destination.Length);
                _buffer.AsSpan(_start, count).CopyTo(destination.Span);
                _start += count;
                return count;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            var read = await inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            var scanFrom = Math.Max(0, _end - (secret.Length - 1));
            _end += read;
            _ended = read == 0;
            Mask(_buffer.AsSpan(scanFrom, _end - scanFrom));
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Mask(Span<byte> window)
    {
        for (var at = window.IndexOf(secret); at >= 0; at = window.IndexOf(secret))
        {
            window.Slice(at, secret.Length).Fill((byte)'*');
            window = window[(at + secret.Length)..];
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
