using System.Text.Json.Nodes;

namespace Gateway.Metering.Requests;

/// <summary>
/// Asks an OpenAI-compatible upstream for the usage chunk of a stream (<c>stream_options.include_usage</c>), which
/// it otherwise never sends (USAGE-FORMATS.md §1.2). The common case, no <c>stream_options</c> at all, is a byte
/// splice; an existing object is rewritten through <see cref="JsonNode"/>, which keeps its other members.
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

        var node = JsonNode.Parse(body.AsSpan(0, length))!.AsObject();
        node["stream_options"]!.AsObject()["include_usage"] = true;
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
