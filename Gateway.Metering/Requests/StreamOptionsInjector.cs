using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Metering.Requests;

/// <summary>
/// Asks an OpenAI-compatible upstream for the usage chunk of a stream (<c>stream_options.include_usage</c>), which
/// it otherwise never sends (USAGE-FORMATS.md §1.2). The common case, no <c>stream_options</c> at all, is a byte
/// splice; an existing object is rewritten through <see cref="JsonNode"/>, which keeps its other members, and a
/// <c>null</c> (or any other non-object) is replaced. The body passed <see cref="RequestInspector"/>: valid UTF-8, no
/// duplicate member, at most <see cref="RequestInspector.MaxDepth"/> deep, so parsing it here cannot fail.
/// </summary>
internal static class StreamOptionsInjector
{
    private static readonly byte[] Member = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();

    public static byte[] Inject(byte[] body, int length, RequestFacts facts)
    {
        if (!facts.HasStreamOptions)
        {
            var open = body.AsSpan(0, length).IndexOf((byte)'{');
            var result = new byte[length + Member.Length];
            body.AsSpan(0, open + 1).CopyTo(result);
            Member.CopyTo(result.AsSpan(open + 1));
            var rest = body.AsSpan(open + 1, length - open - 1);
            rest.CopyTo(result.AsSpan(open + 1 + Member.Length));
            if (rest.TrimStart(" \t\r\n"u8).StartsWith("}"u8))
            {
                // "{}" would become "{...,}": drop the comma.
                var trimmed = new byte[result.Length - 1];
                result.AsSpan(0, open + Member.Length).CopyTo(trimmed);
                result.AsSpan(open + 1 + Member.Length).CopyTo(trimmed.AsSpan(open + Member.Length));
                return trimmed;
            }

            return result;
        }

        var node = JsonNode.Parse(body.AsSpan(0, length), documentOptions: new JsonDocumentOptions { MaxDepth = RequestInspector.MaxDepth })!.AsObject();
        if (node["stream_options"] is JsonObject options)
        {
            options["include_usage"] = true;
        }
        else
        {
            node["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        var output = new System.Buffers.ArrayBufferWriter<byte>(length + Member.Length);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { MaxDepth = RequestInspector.MaxDepth + 1 }))
        {
            node.WriteTo(writer);
        }

        return output.WrittenSpan.ToArray();
    }
}
