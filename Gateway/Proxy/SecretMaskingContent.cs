using System.Net;

namespace Gateway.Proxy;

/// <summary>An upstream answer's content read through <see cref="SecretMaskingStream"/>; its headers are the
/// original's (the masked body has the same length).</summary>
internal sealed class SecretMaskingContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly byte[] _secret;

    public SecretMaskingContent(HttpContent inner, byte[] secret)
    {
        _inner = inner;
        _secret = secret;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new SecretMaskingStream(await _inner.ReadAsStreamAsync(cancellationToken), _secret);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var masked = await CreateContentReadStreamAsync(cancellationToken);
        await masked.CopyToAsync(stream, cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
