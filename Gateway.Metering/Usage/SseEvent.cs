using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>The fields of one raw SSE event: its <c>event:</c> name and its <c>data:</c> lines joined with LF.</summary>
internal readonly ref struct SseEvent
{
    private SseEvent(ReadOnlySpan<byte> name, ReadOnlySpan<byte> data, int dataLines, int singleDataOffset)
    {
        Name = name;
        Data = data;
        DataLines = dataLines;
        SingleDataOffset = singleDataOffset;
    }

    public ReadOnlySpan<byte> Name { get; }

    public ReadOnlySpan<byte> Data { get; }

    public int DataLines { get; }

    /// <summary>With exactly one data line, where its value starts in the raw event; else -1.</summary>
    public int SingleDataOffset { get; }

    public bool IsDone => Data.SequenceEqual("[DONE]"u8);

    /// <summary>Reads the fields of <paramref name="raw"/>; multi-line data is joined into <paramref name="scratch"/>.</summary>
    public static SseEvent Parse(ReadOnlySpan<byte> raw, PooledBufferWriter scratch)
    {
        ReadOnlySpan<byte> name = default;
        ReadOnlySpan<byte> firstData = default;
        var firstDataOffset = -1;
        var dataLines = 0;
        scratch.ResetWrittenCount();
        var position = 0;
        while (position < raw.Length)
        {
            var rest = raw[position..];
            var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            var lineOffset = position;
            position += end < 0 ? rest.Length : end + (rest[end] == '\r' && end + 1 < rest.Length && rest[end + 1] == '\n' ? 2 : 1);
            if (line.IsEmpty || line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf((byte)':');
            var field = colon < 0 ? line : line[..colon];
            var valueStart = colon < 0 ? line.Length : colon + 1;
            if (valueStart < line.Length && line[valueStart] == ' ')
            {
                valueStart++;
            }

            var value = line[valueStart..];
            if (field.SequenceEqual("data"u8))
            {
                dataLines++;
                if (dataLines == 1)
                {
                    firstData = value;
                    firstDataOffset = lineOffset + valueStart;
                }
                else
                {
                    if (dataLines == 2)
                    {
                        scratch.Write(firstData);
                    }

                    scratch.Write("\n"u8);
                    scratch.Write(value);
                }
            }
            else if (field.SequenceEqual("event"u8))
            {
                name = value;
            }
        }

        return dataLines > 1
            ? new SseEvent(name, scratch.WrittenSpan, dataLines, -1)
            : new SseEvent(name, firstData, dataLines, firstDataOffset);
    }
}
