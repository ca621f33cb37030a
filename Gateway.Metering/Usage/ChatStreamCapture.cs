using System.Buffers;

namespace Gateway.Metering.Usage;

/// <summary>
/// Chat Completions and legacy completions streams (USAGE-FORMATS.md §1.2, §6): the last non-null <c>usage</c> in any
/// chunk wins (falling back to <c>x_groq.usage</c>), since some servers repeat running totals on every chunk. When the
/// gateway added <c>stream_options.include_usage</c> itself, the usage-only chunk and the <c>"usage":null</c> fields
/// it causes are removed, so the client sees what it would have seen without the gateway.
/// </summary>
internal sealed class ChatStreamCapture(bool stripInjectedUsage) : SseCapture(TextCapture.Completions)
{
    private byte[]? _usage;
    private byte[]? _groqUsage;

    protected override void OnEvent(ReadOnlySpan<byte> raw, SseEvent sse, IBufferWriter<byte> output)
    {
        if (sse.IsDone)
        {
            Result.Finished = true;
            output.Write(raw);
            return;
        }

        Scanner.Reset(TextCapture.Completions);
        Scanner.Feed(sse.Data, isFinal: true);
        _usage = Scanner.Usage ?? _usage;
        _groqUsage = Scanner.GroqUsage ?? _groqUsage;
        Result.ServedModel ??= Scanner.Model;
        Result.ErrorSeen |= Scanner.HasError;

        if (!stripInjectedUsage || Scanner.Invalid)
        {
            output.Write(raw);
            return;
        }

        if (Scanner.Usage is not null && Scanner.ChoicesEmpty)
        {
            return; // the usage-only chunk the client did not ask for
        }

        var (start, end) = Scanner.NullUsageSpan;
        if (start < 0 || sse.SingleDataOffset < 0)
        {
            output.Write(raw);
            return;
        }

        WriteWithout(raw, sse.SingleDataOffset + (int)start, sse.SingleDataOffset + (int)end, output);
    }

    protected override void Finish()
    {
        Result.TakeUsage(_usage ?? _groqUsage);
        Result.Finished |= Result.Usage is not null && !Result.ErrorSeen;
    }

    /// <summary>Writes <paramref name="raw"/> without the JSON member in [start, end) and the comma that joins it.</summary>
    private static void WriteWithout(ReadOnlySpan<byte> raw, int start, int end, IBufferWriter<byte> output)
    {
        var before = start - 1;
        while (before >= 0 && raw[before] is (byte)' ' or (byte)'\t')
        {
            before--;
        }

        if (before >= 0 && raw[before] == ',')
        {
            start = before; // "...,"usage":null}" → "...}"
        }
        else
        {
            var after = end;
            while (after < raw.Length && raw[after] is (byte)' ' or (byte)'\t')
            {
                after++;
            }

            if (after < raw.Length && raw[after] == ',')
            {
                end = after + 1; // "{"usage":null,..." → "{..."
            }
        }

        output.Write(raw[..start]);
        output.Write(raw[end..]);
    }
}
