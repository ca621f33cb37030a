using System.Text;
using System.Text.RegularExpressions;
using Gateway.Metering.Tokens;
using Microsoft.ML.Tokenizers;

namespace Gateway.Tests.Tokens;

/// <summary>
/// The hand-written splits (o200k and cl100k) must give exactly their regex's pieces: on ASCII they never hand over,
/// and where a character beyond ASCII appears they hand over at a piece boundary of the regex, so the regex goes on
/// from there.
/// </summary>
public sealed class AsciiSplitterTests
{
    private static readonly Dictionary<string, AsciiSplitter> Splitters = new()
    {
        [TiktokenEncodings.O200kBase] = AsciiSplitter.ForO200k(new Regex(TiktokenEncodings.O200kPattern)),
        [TiktokenEncodings.Cl100kBase] = AsciiSplitter.ForCl100k(new Regex(TiktokenEncodings.Cl100kPattern)),
    };

    public static TheoryData<string> Encodings => [.. TiktokenEncodings.Known];

    private static readonly string AllAscii = new(Enumerable.Range(0, 128).Select(c => (char)c).ToArray());

    private static readonly string[] Alphabets =
    [
        AllAscii,
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ      '.,;:!?\n",
        "sStTrReEvVmMlLdD'' aZ",
        "aB1 \t\r\n\v\f'/!",
        "0123456789 12.5,x",
        "  \r\n\r\n\t/\\//\n!?",
        "{}[]\":,0123456789 abc\\/\n",
        "\0\u0001\u001b\u001f\u007f a!",
    ];

    private static readonly string[] Beyond = ["é", "É", "日", "😀", "\u00a0", "\u0085", "\u2028", "\u0301", "٣", "ſ", "\u212a", "\ud800", "“", "—"];

    public static TheoryData<string, string> Samples
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var encoding in TiktokenEncodings.Known)
            {
                foreach (var text in SampleTexts)
                {
                    data.Add(encoding, text);
                }
            }

            return data;
        }
    }

    private static readonly string[] SampleTexts =
    [
        "The quick brown fox jumps over the lazy dog. ",
        "I'm sure you're right; HE'LL say we'd've known. They'RE here. don't DON'T o'clock '",
        "'s 'S 'sam's x' x'r x're x'Ve x'L x'll",
        "HTTPServer isOK ABC abcDEF aBc .Hello .ABC !hello !!hello (x) [Y]",
        "  x\r\n\r\n\t\ty   \n  z \t\n\t end ",
        "a/b\n/ x!!\n// y?\r\n\r\n/ z.../",
        "1234567 12,345.67 3.14159 0x1F 1e-9 v2 2nd",
        " !!x  ?? \t!",
        "trailing   ",
        "\n",
        "   ",
        "\v\f x",
        "x \n ",
        "x \n \n",
        "end\n",
        "'sam 'll 'lx ''s 'Re x'VE",
    ];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Match_Samples_SplitsAsTheRegex(string encoding, string text) => AssertSplitsAsTheRegex(Splitters[encoding], text, mustFinish: true);

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Match_RandomAsciiTexts_SplitsAsTheRegexAndNeverHandsOver(string encoding)
    {
        var random = new Random(20261128);
        for (var i = 0; i < 20_000; i++)
        {
            AssertSplitsAsTheRegex(Splitters[encoding], RandomText(random, random.Next(0, 120), beyondEvery: 0), mustFinish: true);
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Match_CharactersBeyondAscii_HandsOverAtOneOfTheRegexPieces(string encoding)
    {
        var random = new Random(11);
        var handedOver = 0;
        for (var i = 0; i < 20_000; i++)
        {
            handedOver += AssertSplitsAsTheRegex(Splitters[encoding], RandomText(random, random.Next(1, 120), beyondEvery: 25), mustFinish: false) ? 0 : 1;
        }

        Assert.True(handedOver > 5_000, $"only {handedOver} texts handed over to the regex");
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Count_RandomAsciiTexts_EqualsTheReference(string encoding)
    {
        var ours = TiktokenEncodings.Create(encoding);
        var reference = TiktokenTokenizer.CreateForEncoding(encoding);
        var random = new Random(5);
        for (var i = 0; i < 4_000; i++)
        {
            var text = RandomText(random, random.Next(0, 400), beyondEvery: i % 2 == 0 ? 0 : 60);
            Assert.True(reference.CountTokens(text) == ours.Count(text), $"{Escape(text)}: reference {reference.CountTokens(text)}, ours {ours.Count(text)}");
        }
    }

    /// <summary>Walks the text with the splitter; every piece must be the regex's piece at that place. True when the
    /// splitter got to the end, false when it handed over (at a place where a regex piece starts).</summary>
    private static bool AssertSplitsAsTheRegex(AsciiSplitter splitter, string text, bool mustFinish)
    {
        var expected = new List<(int Index, int Length)>();
        foreach (var match in splitter.Pattern.EnumerateMatches(text))
        {
            expected.Add((match.Index, match.Length));
        }

        var at = 0;
        var piece = 0;
        while (at < text.Length)
        {
            var length = splitter.Match(text, at);
            if (length < 0)
            {
                Assert.False(mustFinish, $"handed over at {at} in {Escape(text)}");
                Assert.True(piece < expected.Count && expected[piece].Index == at, $"handed over at {at}, not where a regex piece starts, in {Escape(text)}");
                return false;
            }

            Assert.True(piece < expected.Count && expected[piece] == (at, length),
                $"piece {piece} at {at}: splitter {Escape(text.Substring(at, length))}, regex {(piece < expected.Count ? Escape(text.Substring(expected[piece].Index, expected[piece].Length)) : "none")} in {Escape(text)}");
            at += length;
            piece++;
        }

        Assert.Equal(expected.Count, piece);
        return true;
    }

    private static string RandomText(Random random, int length, int beyondEvery)
    {
        var alphabet = Alphabets[random.Next(Alphabets.Length)];
        var builder = new StringBuilder(length + 4);
        while (builder.Length < length)
        {
            builder.Append(beyondEvery > 0 && random.Next(beyondEvery) == 0 ? Beyond[random.Next(Beyond.Length)] : alphabet[random.Next(alphabet.Length)].ToString());
        }

        return builder.ToString();
    }

    private static string Escape(string text) => "\"" + string.Concat(text.Select(c => c is >= ' ' and < (char)0x7F ? c.ToString() : $"\\u{(int)c:x4}")) + "\"";
}
