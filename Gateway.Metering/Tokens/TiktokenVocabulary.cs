using System.Numerics;
using System.Text;

namespace Gateway.Metering.Tokens;

/// <summary>
/// A tiktoken vocabulary (token bytes → rank) held in three arrays: every token's bytes back to back, where each one
/// starts, and an open-addressing table of ranks. o200k_base takes ~4.6 MB this way; a dictionary of byte arrays and
/// strings takes ~40 MB and ~400,000 objects that every full garbage collection has to mark.
/// </summary>
internal sealed class TiktokenVocabulary
{
    private readonly byte[] _bytes;
    private readonly int[] _starts; // token r is _bytes[_starts[r].._starts[r + 1]]
    private readonly int[] _slots;  // rank + 1; 0 = empty
    private readonly int _mask;

    private TiktokenVocabulary(byte[] bytes, int[] starts, int count)
    {
        _bytes = bytes;
        _starts = starts;
        Count = count;
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, count * 2));
        _slots = new int[capacity];
        _mask = capacity - 1;
        for (var rank = 0; rank < count; rank++)
        {
            var i = Hash(Token(rank)) & _mask;
            while (_slots[i] != 0)
            {
                i = (i + 1) & _mask;
            }

            _slots[i] = rank + 1;
        }
    }

    /// <summary>Tokens in the vocabulary (special tokens aside).</summary>
    public int Count { get; }

    /// <summary>Bytes held by the vocabulary's arrays.</summary>
    public long FootprintBytes => _bytes.LongLength + (4L * _starts.Length) + (4L * _slots.Length);

    /// <summary>
    /// Reads a <c>.tiktoken</c> file: one base64 token per line, optionally followed by its rank, ranks 0, 1, 2, ...
    /// in order; an optional first line <c>Capacity: N</c> (as Microsoft.ML.Tokenizers' data packages ship it).
    /// </summary>
    public static TiktokenVocabulary Load(Stream lines)
    {
        using var reader = new StreamReader(lines, Encoding.UTF8);
        var bytes = new byte[1 << 20];
        var starts = new int[1 << 16];
        var count = 0;
        var used = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (count == 0 && used == 0 && line.StartsWith("Capacity:", StringComparison.Ordinal))
            {
                starts = new int[int.Parse(line.AsSpan(9).Trim(), System.Globalization.CultureInfo.InvariantCulture) + 1];
                continue;
            }

            var space = line.IndexOf(' ');
            var token = space < 0 ? line.AsSpan() : line.AsSpan(0, space);
            if (space >= 0 && int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture) != count)
            {
                throw new InvalidDataException($"A tiktoken vocabulary must list its ranks in order from 0; line {count + 1} does not.");
            }

            if (used + token.Length > bytes.Length)
            {
                Array.Resize(ref bytes, bytes.Length * 2);
            }

            if (count + 2 > starts.Length)
            {
                Array.Resize(ref starts, starts.Length * 2);
            }

            if (Convert.TryFromBase64Chars(token, bytes.AsSpan(used), out var written) is false || written == 0)
            {
                throw new InvalidDataException($"Line {count + 1} of a tiktoken vocabulary is not a base64 token.");
            }

            starts[count] = used;
            used += written;
            count++;
        }

        Array.Resize(ref starts, count + 1);
        starts[count] = used;
        Array.Resize(ref bytes, used);
        return new TiktokenVocabulary(bytes, starts, count);
    }

    public bool Contains(ReadOnlySpan<byte> token) => Rank(token) >= 0;

    /// <summary>The token's rank, or -1 when the bytes are not a token.</summary>
    public int Rank(ReadOnlySpan<byte> token)
    {
        var i = Hash(token) & _mask;
        while (true)
        {
            var slot = _slots[i];
            if (slot == 0)
            {
                return -1;
            }

            if (Token(slot - 1).SequenceEqual(token))
            {
                return slot - 1;
            }

            i = (i + 1) & _mask;
        }
    }

    private ReadOnlySpan<byte> Token(int rank) => _bytes.AsSpan(_starts[rank], _starts[rank + 1] - _starts[rank]);

    /// <summary>FNV-1a, then a finalizer so that the table's low bits are well mixed. Tokens are short (≤ 128 bytes).</summary>
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;
        foreach (var b in bytes)
        {
            h = (h ^ b) * 16777619u;
        }

        h ^= h >> 16;
        h *= 0x7feb352du;
        h ^= h >> 15;
        return (int)(h & int.MaxValue);
    }
}
