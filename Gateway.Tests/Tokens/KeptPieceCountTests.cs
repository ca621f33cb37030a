using Gateway.Metering.Tokens;
using Gateway.Tests.Infrastructure;
using Microsoft.ML.Tokenizers;

namespace Gateway.Tests.Tokens;

/// <summary>
/// Counts of long pieces that take merges are kept by their hash: a repeated text is counted from them, exactly as
/// before and without allocating, in a table of <see cref="TiktokenCounter.KeptSlots"/> that newer pieces overwrite.
/// </summary>
[Collection(AllocationCollection.Name)]
public sealed class KeptPieceCountTests
{
    public static TheoryData<string> Encodings => [.. TiktokenEncodings.Known];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Count_RepeatedLongPieces_KeptExactAndWithoutAllocating(string encoding)
    {
        var ours = TiktokenEncodings.Create(encoding); // its own: nothing kept yet
        var reference = TiktokenTokenizer.CreateForEncoding(encoding);
        var text = string.Concat(Enumerable.Repeat("日本語のテキストです。中文文本很长的句子 Привет мир, длинные слова здесь ", 30));

        var first = ours.Count(text);
        Assert.InRange(ours.KeptPieces, 1, TiktokenCounter.KeptSlots);
        var second = ours.Count(text);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var third = ours.Count(text);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(reference.CountTokens(text), first);
        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.True(allocated < 512, $"a count from kept pieces allocated {allocated} bytes");
    }

    [Fact]
    public void Count_KeptPiece_TakenFromWhatIsKept()
    {
        var ours = TiktokenEncodings.Create(TiktokenEncodings.O200kBase);
        const string piece = "日本語のテキストです"; // one piece of 30 bytes, several tokens
        var exact = ours.Count(piece);
        Assert.Equal(1, ours.KeptPieces);

        ours.Keep(piece, exact + 100);

        Assert.Equal(exact + 100, ours.Count(piece));
        Assert.Equal(2 * (exact + 100) + 1, ours.Count(piece + "\n" + piece)); // the piece, a line break, the piece
    }

    [Fact]
    public void Count_MoreDistinctLongPiecesThanSlots_StaysExact()
    {
        var ours = TiktokenEncodings.Create(TiktokenEncodings.O200kBase);
        var reference = TiktokenTokenizer.CreateForEncoding(TiktokenEncodings.O200kBase);
        var random = new Random(9);
        const string letters = "日本語中文文本很长的句子テキストです한국어";
        var mostKept = 0;
        for (var i = 0; i < 2 * TiktokenCounter.KeptSlots; i++)
        {
            var piece = new string(Enumerable.Range(0, 6).Select(_ => letters[random.Next(letters.Length)]).ToArray());
            var count = ours.Count(piece);
            mostKept = Math.Max(mostKept, ours.KeptPieces);
            if (i % 1_000 == 0)
            {
                Assert.Equal(reference.CountTokens(piece), count);
                Assert.Equal(count, ours.Count(piece));
            }
        }

        Assert.InRange(mostKept, TiktokenCounter.KeptSlots / 2, TiktokenCounter.KeptSlots);
    }

    [Fact]
    public void Count_ShortOrSingleTokenPieces_NotKept()
    {
        var ours = TiktokenEncodings.Create(TiktokenEncodings.O200kBase);
        ours.Count(string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 50)));
        Assert.Equal(0, ours.KeptPieces);
    }
}
