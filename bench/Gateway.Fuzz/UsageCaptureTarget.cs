using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Metering.Usage;

namespace Gateway.Fuzz;

/// <summary>
/// One usage parser as the proxy runs it: the upstream's bytes in random pieces (1 byte to 4 KB, so events, tokens
/// and UTF-8 sequences split anywhere), then the end of the body. Promises: the client gets exactly the bytes sent
/// (the chat capture that strips the usage it asked for may only remove bytes, and only around a usage member);
/// counts stay in [0, <see cref="TokenUsage.MaxCount"/>] with parts inside wholes; the raw usage is valid JSON of
/// bounded size; the served model is safe to store.
/// </summary>
internal static class UsageCaptureTarget
{
    public static IEnumerable<FuzzTarget> All()
    {
        var seeds = Seeds.Responses().Select(s => s.Bytes).ToList();
        yield return Create("chat-stream", seeds, () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: true, stripInjectedUsage: false));
        yield return Create("chat-stream-strip", seeds, () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: true, stripInjectedUsage: true), passthrough: false);
        yield return Create("responses-stream", seeds, () => UsageCaptures.Create(ApiKind.Responses, eventStream: true, stripInjectedUsage: false));
        yield return Create("anthropic-stream", seeds, () => UsageCaptures.Create(ApiKind.AnthropicMessages, eventStream: true, stripInjectedUsage: false));
        yield return Create("gemini-stream", seeds, () => UsageCaptures.Create(ApiKind.GeminiGenerateContent, eventStream: true, stripInjectedUsage: false));
        yield return Create("chat-json", seeds, () => UsageCaptures.Create(ApiKind.ChatCompletions, eventStream: false, stripInjectedUsage: false));
        yield return Create("responses-json", seeds, () => UsageCaptures.Create(ApiKind.Responses, eventStream: false, stripInjectedUsage: false));
        yield return Create("anthropic-json", seeds, () => UsageCaptures.Create(ApiKind.AnthropicMessages, eventStream: false, stripInjectedUsage: false));
        yield return Create("gemini-json", seeds, () => UsageCaptures.Create(ApiKind.GeminiGenerateContent, eventStream: false, stripInjectedUsage: false));
        yield return Create("embeddings-json", seeds, () => UsageCaptures.Create(ApiKind.Embeddings, eventStream: false, stripInjectedUsage: false));
    }

    private static FuzzTarget Create(string name, IReadOnlyList<byte[]> seeds, Func<IUsageCapture> capture, bool passthrough = true)
        => new(name, seeds, (input, random) => Run(input, random, capture, passthrough));

    public static CaptureResult Run(byte[] input, Random random, Func<IUsageCapture> create, bool passthrough)
    {
        using var capture = create();
        var output = new ArrayBufferWriter<byte>(input.Length + 16);
        for (var offset = 0; offset < input.Length;)
        {
            var size = Math.Min(input.Length - offset, random.Next(3) == 0 ? 1 + random.Next(8) : 1 + random.Next(4096));
            output.Write(capture.Observe(input.AsMemory(offset, size)).Span);
            offset += size;
        }

        output.Write(capture.Complete().Span);
        var sent = output.WrittenSpan;
        if (passthrough || (input.AsSpan().IndexOf("usage"u8) < 0 && input.AsSpan().IndexOf("\\u"u8) < 0))
        {
            InvariantViolation.Check(sent.SequenceEqual(input), "the client did not get the upstream's bytes");
        }
        else
        {
            InvariantViolation.Check(sent.Length <= input.Length, "the client got bytes the upstream never sent");
        }

        CheckResult(capture.Result);
        return capture.Result;
    }

    internal static void CheckResult(CaptureResult result)
    {
        if (result.Usage is { } u)
        {
            long[] counts = [u.Input, u.Output, u.CachedInput, u.CacheWrite, u.Reasoning, u.AudioInput, u.AudioOutput, u.CacheWrite1h, u.ServerToolRequests];
            InvariantViolation.Check(counts.All(c => c is >= 0 and <= TokenUsage.MaxCount), "a count out of range");
            InvariantViolation.Check(u.CachedInput <= u.Input && u.CacheWrite <= u.Input && u.AudioInput <= u.Input, "an input part exceeds input");
            InvariantViolation.Check(u.Reasoning <= u.Output && u.AudioOutput <= u.Output, "an output part exceeds output");
            InvariantViolation.Check(u.CacheWrite1h <= u.CacheWrite, "1 h cache write exceeds cache write");
        }

        InvariantViolation.Check(!result.UsagePartial || result.Usage is not null, "partial usage without usage");
        if (result.RawUsage is { } raw)
        {
            InvariantViolation.Check(Encoding.UTF8.GetByteCount(raw) <= CaptureResult.MaxRawUsageBytes, "raw usage too large");
            try
            {
                using var _ = JsonDocument.Parse(raw);
            }
            catch (JsonException ex)
            {
                throw new InvariantViolation("raw usage is not JSON: " + ex.Message);
            }
        }

        RequestBodyTarget.CheckStorable(result.ServedModel, JsonText.MaxLabelLength, "served model");
    }
}
