using System.Text;

namespace Gateway.Fuzz;

/// <summary>
/// Makes hostile inputs from seeds, libFuzzer-style: one to five stacked mutations (bit flips, interesting bytes,
/// inserted, deleted, duplicated or swapped ranges, truncation, splices of two seeds) plus ones aimed at JSON and
/// SSE: numbers replaced by NaN, negative or huge values, broken UTF-8, lone surrogate escapes, deep nesting,
/// repeated or dropped events, changed line ends. Deterministic for a given <see cref="Random"/>.
/// </summary>
internal static class Mutator
{
    /// <summary>Inputs are kept under this size so a long run stays fast.</summary>
    public const int MaxLength = 256 * 1024;

    private static readonly byte[] InterestingBytes =
        [0x00, 0xFF, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'\n', (byte)'\r', (byte)' ', (byte)'\t', 0xC3, 0xED, 0xF0, 0x80, 0xBF, 0xFE, 0x7F];

    private static readonly byte[][] Numbers =
    [
        .. new[]
        {
            "NaN", "-NaN", "Infinity", "-Infinity", "-1", "-0", "0", "1.5", "1e400", "-1e400", "1e-400", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "99999999999999999999999999999999", "100000001", "0x10", "01", "1.",
            "2147483648", "4294967296", "1E5", "null", "\"12\"", "true", "{}", "[]",
        }.Select(Encoding.ASCII.GetBytes),
    ];

    private static readonly byte[][] Tokens =
    [
        "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\u0000"u8.ToArray(), "\\"u8.ToArray(), "\""u8.ToArray(),
        [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xEF, 0xBB, 0xBF],
        "data: [DONE]\n\n"u8.ToArray(), "data: "u8.ToArray(), "event: message_delta\n"u8.ToArray(), "event: error\n"u8.ToArray(),
        "\n\n"u8.ToArray(), "\r\n\r\n"u8.ToArray(), "\r"u8.ToArray(), ": ping\n\n"u8.ToArray(),
        "\"usage\":"u8.ToArray(), "\"usage\":null"u8.ToArray(), "\"usageMetadata\":"u8.ToArray(), "\"model\":\"m\""u8.ToArray(),
        "{\"usage\":{\"prompt_tokens\":-5,\"completion_tokens\":1e300}}"u8.ToArray(),
        "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":99999999999}}"u8.ToArray(),
        "\"stream\":true"u8.ToArray(), "\"stream_options\":{\"include_usage\":true}"u8.ToArray(), "\"model\":"u8.ToArray(),
    ];

    public static byte[] Mutate(IReadOnlyList<byte[]> seeds, Random random)
    {
        var data = new List<byte>(seeds[random.Next(seeds.Count)]);
        if (random.Next(50) == 0)
        {
            return RandomBytes(random, random.Next(1, 512));
        }

        var count = 1 + random.Next(5);
        for (var i = 0; i < count; i++)
        {
            Apply(data, seeds, random);
            if (data.Count > MaxLength)
            {
                data.RemoveRange(MaxLength, data.Count - MaxLength);
            }
        }

        return [.. data];
    }

    private static void Apply(List<byte> data, IReadOnlyList<byte[]> seeds, Random random)
    {
        var at = data.Count == 0 ? 0 : random.Next(data.Count);
        switch (random.Next(17))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2:
                data.InsertRange(at, RandomBytes(random, 1 + random.Next(8)));
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                break;
            case 4 when data.Count > 0:
                // A repeated range: repeated events, cumulative deltas sent twice, a member given twice.
                var length = Math.Min(data.Count - at, 1 + random.Next(512));
                var copy = data.GetRange(at, length);
                var times = 1 + random.Next(random.Next(20) == 0 ? 200 : 3);
                for (var t = 0; t < times; t++)
                {
                    data.InsertRange(Math.Min(data.Count, at + length), copy);
                }

                break;
            case 5 when data.Count > 1:
                data.RemoveRange(at, data.Count - at); // truncated: a cut stream, a split UTF-8 sequence
                break;
            case 6:
                var other = seeds[random.Next(seeds.Count)];
                var from = other.Length == 0 ? 0 : random.Next(other.Length);
                data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(2048))).ToArray());
                break;
            case 7:
                ReplaceNumber(data, random);
                break;
            case 8:
                data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                break;
            case 9:
                var depth = 1 + random.Next(random.Next(10) == 0 ? 400 : 40);
                var open = random.Next(2) == 0 ? (byte)'[' : (byte)'{';
                data.InsertRange(at, Enumerable.Repeat(open == '{' ? "{\"a\":"u8.ToArray() : "["u8.ToArray(), depth).SelectMany(b => b));
                if (random.Next(2) == 0)
                {
                    data.InsertRange(Math.Min(data.Count, at + (depth * (open == '{' ? 5 : 1))), Enumerable.Repeat(open == '{' ? (byte)'}' : (byte)']', depth));
                }

                break;
            case 10:
                ChangeLineEnds(data, random);
                break;
            case 11:
                RemoveAll(data, "data: [DONE]"u8);
                break;
            case 12:
                // A huge string value or name.
                data.InsertRange(at, Encoding.ASCII.GetBytes("\"" + new string((char)('a' + random.Next(26)), random.Next(1, 64 * 1024)) + "\""));
                break;
            case 13 when data.Count > 8:
                var a = random.Next(data.Count / 2);
                var b = data.Count / 2 + random.Next(data.Count / 2);
                var len = Math.Min(Math.Min(b - a, data.Count - b), 1 + random.Next(64));
                for (var k = 0; k < len; k++)
                {
                    (data[a + k], data[b + k]) = (data[b + k], data[a + k]);
                }

                break;
            case 14:
                ReplaceString(data, random);
                break;
            case 15 when data.Count > 0:
                data[at] = (byte)random.Next(256);
                break;
            default:
                data.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                break;
        }
    }

    private static void ReplaceNumber(List<byte> data, Random random)
    {
        var digits = new List<int>();
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || data[i - 1] is not (>= (byte)'0' and <= (byte)'9')))
            {
                digits.Add(i);
            }
        }

        if (digits.Count == 0)
        {
            return;
        }

        var start = digits[random.Next(digits.Count)];
        var end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'-' or (byte)'+')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, Numbers[random.Next(Numbers.Length)]);
    }

    private static void ReplaceString(List<byte> data, Random random)
    {
        var quotes = new List<int>();
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i] == (byte)'"')
            {
                quotes.Add(i);
            }
        }

        if (quotes.Count < 2)
        {
            return;
        }

        var q = random.Next(quotes.Count - 1);
        var start = quotes[q] + 1;
        var end = quotes[q + 1];
        data.RemoveRange(start, end - start);
        data.InsertRange(start, Tokens[random.Next(12)]); // broken UTF-8 or an escape, in place of a string's text
    }

    private static void ChangeLineEnds(List<byte> data, Random random)
    {
        var replacement = random.Next(3) switch { 0 => "\r\n"u8.ToArray(), 1 => "\r"u8.ToArray(), _ => "\n"u8.ToArray() };
        var result = new List<byte>(data.Count + 64);
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i] == (byte)'\r' && i + 1 < data.Count && data[i + 1] == (byte)'\n')
            {
                i++;
                result.AddRange(replacement);
            }
            else if (data[i] is (byte)'\n' or (byte)'\r')
            {
                result.AddRange(replacement);
            }
            else
            {
                result.Add(data[i]);
            }
        }

        data.Clear();
        data.AddRange(result);
    }

    private static void RemoveAll(List<byte> data, ReadOnlySpan<byte> needle)
    {
        var bytes = data.ToArray().AsSpan();
        var result = new List<byte>(bytes.Length);
        while (true)
        {
            var found = bytes.IndexOf(needle);
            if (found < 0)
            {
                result.AddRange(bytes);
                break;
            }

            result.AddRange(bytes[..found]);
            bytes = bytes[(found + needle.Length)..];
        }

        data.Clear();
        data.AddRange(result);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
