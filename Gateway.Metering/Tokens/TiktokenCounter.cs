using System.Buffers;
using System.IO.Hashing;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Gateway.Metering.Tokens;

/// <summary>
/// Counts a text's tokens exactly as tiktoken (and Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/>) encodes
/// it: the encoding's pre-tokenizer splits the text (special tokens first), each piece that is a token counts one,
/// and any other piece is byte-pair merged lowest rank first. Only the count is kept, never the ids, so nothing is
/// allocated per piece; the vocabulary is a <see cref="TiktokenVocabulary"/>.
/// </summary>
/// <remarks>With an <paramref name="ascii"/> splitter a text without special tokens is split by it where the text is
/// ASCII, and by the encoding's pattern from where it is not until the pattern's pieces are ASCII again.</remarks>
internal sealed class TiktokenCounter(TiktokenVocabulary vocabulary, PreTokenizer preTokenizer, IReadOnlyCollection<string> specialTokens, AsciiSplitter? ascii = null)
{
    /// <summary>Pieces up to this many bytes merge by linear scans (cache-friendly); longer ones through a heap, so a
    /// megabyte without a break costs O(n log n), not O(n²). Both give the same merges.</summary>
    internal const int LinearMergeLimit = 128;

    private const int PooledStateLimit = 1 << 16;

    /// <summary>Pieces that take merges and are at least this long (UTF-8) have their counts kept: a prompt's long
    /// pieces recur (the same system prompt, the conversation so far, languages whose pieces are whole phrases), and a
    /// merge costs a microsecond or more where a lookup costs nanoseconds.</summary>
    internal const int KeptPieceMinBytes = 12;

    /// <summary>Kept counts: a fixed table of 128 KB, one 64-bit entry a slot, the slot chosen by the piece's hash. An
    /// entry is the rest of the 64-bit hash (44 bits) and the count (20 bits), written and read whole, so threads
    /// need no lock and nothing is allocated; a newer piece takes the slot of an older one. Two different pieces match
    /// only if 58 bits of their hashes agree (about one lookup in 10^17).</summary>
    internal const int KeptSlots = 1 << 14;

    private const int CountBits = 20;
    private const ulong CountMask = (1UL << CountBits) - 1;

    private readonly string[] _specialTokens = [.. specialTokens];
    private readonly ulong[] _kept = new ulong[KeptSlots];

    public TiktokenVocabulary Vocabulary => vocabulary;

    public int Count(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return 0;
        }

        var count = 0;
        byte[]? rented = null;
        Span<byte> buffer = stackalloc byte[256];
        try
        {
            if (ascii is not null && !text.Contains("<|", StringComparison.Ordinal))
            {
                return CountSplittingAscii(text, ascii, ref buffer, ref rented);
            }

            foreach (var (offset, length) in preTokenizer.PreTokenize(text))
            {
                var piece = text.Slice(offset, length);
                count += IsSpecial(piece) ? 1 : CountPiece(piece, ref buffer, ref rented);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return count;
    }

    private int CountSplittingAscii(ReadOnlySpan<char> text, AsciiSplitter splitter, ref Span<byte> buffer, ref byte[]? rented)
    {
        var count = 0;
        var at = 0;
        while (at < text.Length)
        {
            for (int length; at < text.Length && (length = splitter.Match(text, at)) > 0; at += length)
            {
                count += CountPiece(text.Slice(at, length), ref buffer, ref rented);
            }

            if (at == text.Length)
            {
                break;
            }

            var backToAscii = false;
            foreach (var match in splitter.Pattern.EnumerateMatches(text, at))
            {
                var piece = text.Slice(match.Index, match.Length);
                count += CountPiece(piece, ref buffer, ref rented);
                at = match.Index + match.Length;
                if (at < text.Length && text[at] <= 0x7F && Ascii.IsValid(piece))
                {
                    backToAscii = true;
                    break;
                }
            }

            if (!backToAscii)
            {
                break; // the pattern went to the end
            }
        }

        return count;
    }

    private int CountPiece(ReadOnlySpan<char> piece, ref Span<byte> buffer, ref byte[]? rented)
    {
        var needed = piece.Length * 3;
        if (needed > buffer.Length)
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            rented = ArrayPool<byte>.Shared.Rent(needed);
            buffer = rented;
        }

        var bytes = buffer[..ToUtf8(piece, buffer)];
        if (bytes.Length < KeptPieceMinBytes)
        {
            return CountPiece(bytes);
        }

        return vocabulary.Contains(bytes) ? 1 : CountMerged(bytes); // one vocabulary lookup, not a second in CountPiece
    }

    /// <summary>A piece of at least <see cref="KeptPieceMinBytes"/> that is no token: its kept count, or its merges
    /// (then kept).</summary>
    private int CountMerged(ReadOnlySpan<byte> bytes)
    {
        var hash = XxHash3.HashToUInt64(bytes);
        ref var slot = ref _kept[(int)(hash & (KeptSlots - 1))];
        var tag = hash & ~CountMask;
        var entry = Volatile.Read(ref slot);
        if (entry != 0 && (entry & ~CountMask) == tag)
        {
            return (int)(entry & CountMask);
        }

        var count = bytes.Length <= LinearMergeLimit ? MergeLinear(bytes) : MergeWithHeap(bytes);
        if ((uint)count <= CountMask)
        {
            Volatile.Write(ref slot, tag | (uint)count);
        }

        return count;
    }

    /// <summary>How many piece counts are kept now (for tests).</summary>
    internal int KeptPieces => _kept.Count(entry => entry != 0);

    /// <summary>Sets the kept count of a piece (for tests: a count that differs shows that counting took it).</summary>
    internal void Keep(string piece, int count)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(piece);
        var hash = XxHash3.HashToUInt64(bytes);
        _kept[(int)(hash & (KeptSlots - 1))] = (hash & ~CountMask) | (uint)count;
    }

    /// <summary>Tokens of one pre-tokenized piece (UTF-8).</summary>
    internal int CountPiece(ReadOnlySpan<byte> piece)
    {
        if (piece.Length <= 1 || vocabulary.Contains(piece))
        {
            return piece.Length == 0 ? 0 : 1; // every single byte is a token
        }

        return piece.Length <= LinearMergeLimit ? MergeLinear(piece) : MergeWithHeap(piece);
    }

    /// <summary>
    /// UTF-8, except that a lone surrogate becomes its own three bytes (as in WTF-8) rather than U+FFFD: the reference
    /// counts it that way, and a count must not depend on which of the two produced it.
    /// </summary>
    internal static int ToUtf8(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var at = 0;
        for (var i = 0; i < text.Length; i++)
        {
            uint c = text[i];
            if (c <= 0x7F)
            {
                destination[at++] = (byte)c;
            }
            else if (c <= 0x7FF)
            {
                destination[at++] = (byte)(0xC0 | (c >> 6));
                destination[at++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (i + 1 < text.Length && char.IsSurrogatePair((char)c, text[i + 1]))
            {
                var scalar = (uint)char.ConvertToUtf32((char)c, text[++i]);
                destination[at++] = (byte)(0xF0 | (scalar >> 18));
                destination[at++] = (byte)(0x80 | ((scalar >> 12) & 0x3F));
                destination[at++] = (byte)(0x80 | ((scalar >> 6) & 0x3F));
                destination[at++] = (byte)(0x80 | (scalar & 0x3F));
            }
            else
            {
                destination[at++] = (byte)(0xE0 | (c >> 12));
                destination[at++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                destination[at++] = (byte)(0x80 | (c & 0x3F));
            }
        }

        return at;
    }

    private bool IsSpecial(ReadOnlySpan<char> piece)
    {
        if (piece.Length < 2 || piece[0] != '<')
        {
            return false;
        }

        foreach (var special in _specialTokens)
        {
            if (piece.SequenceEqual(special))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// parts[i] is where the i-th part starts and the rank of it merged with the part after it (int.MaxValue when
    /// that is no token); the lowest rank merges first, the leftmost on a tie, until no pair is a token.
    /// </summary>
    private int MergeLinear(ReadOnlySpan<byte> piece)
    {
        Span<(int Start, int Rank)> parts = stackalloc (int, int)[LinearMergeLimit + 1];
        parts = parts[..(piece.Length + 1)];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = (i, int.MaxValue);
        }

        for (var i = 0; i < parts.Length - 2; i++)
        {
            parts[i].Rank = PairRank(piece, parts, i, 0);
        }

        while (parts.Length > 1)
        {
            var (min, minRank) = (0, int.MaxValue);
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (parts[i].Rank < minRank)
                {
                    (min, minRank) = (i, parts[i].Rank);
                }
            }

            if (minRank == int.MaxValue)
            {
                break;
            }

            parts[min].Rank = PairRank(piece, parts, min, 1);
            if (min > 0)
            {
                parts[min - 1].Rank = PairRank(piece, parts, min - 1, 1);
            }

            parts[(min + 2)..].CopyTo(parts[(min + 1)..]);
            parts = parts[..^1];
        }

        return parts.Length - 1;
    }

    private int PairRank(ReadOnlySpan<byte> piece, ReadOnlySpan<(int Start, int Rank)> parts, int start, int skip)
    {
        if (start + skip + 2 >= parts.Length)
        {
            return int.MaxValue;
        }

        var rank = vocabulary.Rank(piece[parts[start].Start..parts[start + skip + 2].Start]);
        return rank < 0 ? int.MaxValue : rank;
    }

    /// <summary>
    /// The same merges for long pieces: the parts form a linked list (by start offset) and candidate pairs wait in a
    /// min-heap ordered by rank, then start; an entry whose rank no longer matches its part is stale and skipped.
    /// </summary>
    private int MergeWithHeap(ReadOnlySpan<byte> piece)
    {
        var n = piece.Length;
        // A megabyte-long piece is someone's attack or mistake: its state is the GC's to reclaim, not the pool's to keep.
        var state = n <= PooledStateLimit ? ArrayPool<Part>.Shared.Rent(n) : new Part[n];
        try
        {
            var heap = new PriorityQueue<int, long>(n);
            for (var i = 0; i < n; i++)
            {
                state[i] = new Part { Prev = i - 1, End = i + 1, NextEnd = i + 2, NextRank = int.MaxValue };
            }

            for (var i = 0; i < n - 1; i++)
            {
                var rank = vocabulary.Rank(piece.Slice(i, 2));
                if (rank >= 0)
                {
                    state[i].NextRank = rank;
                    heap.Enqueue(i, Priority(rank, i));
                }
            }

            while (heap.TryDequeue(out var left, out var priority))
            {
                if ((int)(priority >> 32) != state[left].NextRank)
                {
                    continue;
                }

                var rightStart = state[left].End;
                var rightEnd = state[left].NextEnd;
                var rightNextEnd = state[rightStart].NextEnd;
                state[left].End = rightEnd;
                Consider(piece, state, heap, left, rightNextEnd);
                if (rightEnd < n)
                {
                    state[rightEnd].Prev = left;
                }

                if (left > 0)
                {
                    Consider(piece, state, heap, state[left].Prev, rightEnd);
                }

                state[rightStart].NextRank = int.MaxValue;
            }

            var count = 0;
            for (var i = 0; i < n; i = state[i].End)
            {
                count++;
            }

            return count;
        }
        finally
        {
            if (n <= PooledStateLimit)
            {
                ArrayPool<Part>.Shared.Return(state);
            }
        }
    }

    /// <summary>The part at <paramref name="start"/> merged with the one after it, which would end at
    /// <paramref name="nextEnd"/>: queued when that is a token.</summary>
    private void Consider(ReadOnlySpan<byte> piece, Part[] state, PriorityQueue<int, long> heap, int start, int nextEnd)
    {
        state[start].NextEnd = nextEnd;
        state[start].NextRank = int.MaxValue;
        if (nextEnd <= piece.Length)
        {
            var rank = vocabulary.Rank(piece[start..nextEnd]);
            if (rank >= 0)
            {
                state[start].NextRank = rank;
                heap.Enqueue(start, Priority(rank, start));
            }
        }
    }

    private static long Priority(int rank, int start) => ((long)rank << 32) | (uint)start;

    private struct Part
    {
        public int Prev;
        public int End;
        public int NextEnd;
        public int NextRank;
    }
}
