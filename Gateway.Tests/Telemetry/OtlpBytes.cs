using System.Text;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// Reads attributes out of an OTLP protobuf export without a protobuf library: an attribute is a <c>KeyValue</c>
/// message, field 1 the key, field 2 an <c>AnyValue</c> (1 string, 2 bool, 3 int64 varint, 4 double).
/// </summary>
internal static class OtlpBytes
{
    /// <summary>Every value of the attribute <paramref name="key"/> in the message, as text.</summary>
    public static List<string> Values(byte[] body, string key)
    {
        var values = new List<string>();
        var needle = Encoding.UTF8.GetBytes(key);
        var from = 0;
        int start;
        while ((start = IndexOf(body, needle, from)) >= 0)
        {
            from = start + needle.Length;
            // The key must be a whole field 1 (tag 0x0A, then its length, then the bytes).
            if (start < 2 || body[start - 1] != needle.Length || body[start - 2] != 0x0A)
            {
                continue;
            }

            var i = from;
            if (i >= body.Length || body[i] != 0x12)
            {
                continue;
            }

            i++;
            _ = Varint(body, ref i); // AnyValue length
            var tag = body[i++];
            switch (tag)
            {
                case 0x0A:
                    var length = (int)Varint(body, ref i);
                    values.Add(Encoding.UTF8.GetString(body, i, length));
                    break;
                case 0x10:
                    values.Add(Varint(body, ref i) != 0 ? "true" : "false");
                    break;
                case 0x18:
                    values.Add(((long)Varint(body, ref i)).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case 0x21:
                    values.Add(BitConverter.ToDouble(body, i).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        return values;
    }

    private static ulong Varint(byte[] body, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = body[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static int IndexOf(byte[] body, byte[] needle, int from)
        => from >= body.Length ? -1 : body.AsSpan(from).IndexOf(needle) is var found and >= 0 ? from + found : -1;
}
