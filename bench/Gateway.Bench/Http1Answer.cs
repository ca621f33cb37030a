using System.Buffers.Text;
using System.Text;

/// <summary>Finds where one HTTP/1.1 answer ends in bytes read so far: by <c>Content-Length</c> or by chunked framing
/// (no trailers), which is all the bench's servers send.</summary>
internal static class Http1Answer
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>True when <paramref name="bytes"/> starts with a whole answer: its length and status.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out int length, out int status)
    {
        length = 0;
        status = 0;
        var headerEnd = bytes.IndexOf(HeaderEnd);
        if (headerEnd < 0)
        {
            return false;
        }

        // "HTTP/1.1 200 OK"
        if (headerEnd < 12 || !Utf8Parser.TryParse(bytes.Slice(9, 3), out status, out _))
        {
            throw new InvalidDataException("not an HTTP/1.1 answer: " + Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 40)]));
        }

        var headers = bytes[..headerEnd];
        var bodyStart = headerEnd + HeaderEnd.Length;
        if (TryHeader(headers, "content-length"u8, out var contentLength))
        {
            if (!Utf8Parser.TryParse(contentLength, out int size, out _))
            {
                throw new InvalidDataException("a Content-Length that is not a number");
            }

            length = bodyStart + size;
            return bytes.Length >= length;
        }

        if (TryHeader(headers, "transfer-encoding"u8, out var encoding) && Ascii.EqualsIgnoreCase(encoding, "chunked"u8))
        {
            var at = bodyStart;
            while (true)
            {
                var line = bytes[at..].IndexOf(Crlf);
                if (line < 0)
                {
                    return false;
                }

                var sizeText = bytes.Slice(at, line);
                var extension = sizeText.IndexOf((byte)';');
                if (!Utf8Parser.TryParse(extension >= 0 ? sizeText[..extension] : sizeText, out int size, out _, 'x'))
                {
                    throw new InvalidDataException("a chunk size that is not hexadecimal");
                }

                at += line + Crlf.Length + size + Crlf.Length; // the size line, the data and the data's CRLF
                if (size == 0)
                {
                    length = at;
                    return bytes.Length >= length;
                }

                if (bytes.Length < at)
                {
                    return false;
                }
            }
        }

        length = bodyStart; // no body (a 204 or 304, say)
        return true;
    }

    private static bool TryHeader(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var range in headers.Split(Crlf))
        {
            var line = headers[range];
            var colon = line.IndexOf((byte)':');
            if (colon == name.Length && Ascii.EqualsIgnoreCase(line[..colon], name))
            {
                value = line[(colon + 1)..].Trim((byte)' ');
                return true;
            }
        }

        value = default;
        return false;
    }
}
