using System.Collections.Concurrent;
using System.Text;
using Gateway.Metering.Tokens;
using Microsoft.ML.Tokenizers;

namespace Gateway.Tests.Tokens;

/// <summary>
/// The gateway's own counter against the reference: Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> (itself
/// tested against OpenAI's tiktoken) must give the same count for every text.
/// </summary>
public sealed class TiktokenCounterTests
{
    private static readonly ConcurrentDictionary<string, (TiktokenCounter Ours, TiktokenTokenizer Reference)> Loaded = new();

    private static (TiktokenCounter Ours, TiktokenTokenizer Reference) For(string encoding)
        => Loaded.GetOrAdd(encoding, e => (TiktokenEncodings.Create(e), TiktokenTokenizer.CreateForEncoding(e)));

    public static TheoryData<string> Encodings => [.. TiktokenEncodings.Known];

    private static readonly string[] Samples =
    [
        "",
        " ",
        "hello",
        "Hello, world! How are you doing today?",
        "I'm sure you're right; HE'LL say we'd've known. They'RE here.",
        "The quick brown fox jumps over the lazy dog. ",
        "hello <|endoftext|> world",
        "<|endoftext|>",
        "<|endoftext|><|endofprompt|>",
        " <|endofprompt|>  \n",
        "<|fim_prefix|>def f():<|fim_suffix|>\n    return 1<|fim_middle|>",
        "<|not_special|> <| endoftext |>",
        "  \n\n  x\r\n\r\n\t\ty   ",
        "trailing spaces   ",
        "1234567890 12,345.67 3.14159 0x1F 1e-9 ２０２６年",
        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":16}",
        "public static int Main(string[] args)\n{\n    return args.Length > 0 ? 1 : 0; // comment\n}\n",
        "https://example.com/path/to/file.html?query=1&b=two#frag",
        "日本語のテキストです。中文文本。한국어 텍스트입니다.",
        "مرحبا بالعالم. שלום עולם. Привет, мир! Γειά σου Κόσμε.",
        "हिन्दी पाठ, ক্ষ, தமிழ், ไทย",
        "e\u0301 a\u0308 n\u0303 Z\u0335\u0321a\u0336l\u0337g\u0338o",
        "👩‍👩‍👧‍👦 🇫🇷 👍🏽 emoji ✨🔥💯",
        "\ud800",
        "\ud800x",
        "a\udc00bc\ud83d",
        "ÀÉÎÕÜ àéîõü ß ẞ ﬁ ǅ",
        "aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQgZW5jb2RlZCB0ZXh0IHdpdGggbm8gc3BhY2Vz==",
        "----------====== ***** ///// \\\\\\ ____ .... ???? !!!!",
        new string('a', 5000),
        new string(' ', 3000) + "x",
        new string('=', 1000),
        string.Concat(Enumerable.Repeat("😀", 400)),
        string.Concat(Enumerable.Repeat("ab", 700)),
        string.Concat(Enumerable.Repeat("\r\n", 300)),
        string.Concat(Enumerable.Repeat("1", 1000)),
    ];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Count_Samples_EqualsTheReference(string encoding)
    {
        var (ours, reference) = For(encoding);
        foreach (var text in Samples)
        {
            Assert.True(reference.CountTokens(text) == ours.Count(text), Describe(encoding, text, reference.CountTokens(text), ours.Count(text)));
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Count_RandomTexts_EqualsTheReference(string encoding)
    {
        var (ours, reference) = For(encoding);
        var random = new Random(20261127);
        for (var i = 0; i < 4_000; i++)
        {
            var text = RandomText(random, random.Next(0, 300), random.Next(Alphabets.Length));
            Assert.True(reference.CountTokens(text) == ours.Count(text), Describe(encoding, text, reference.CountTokens(text), ours.Count(text)));
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Count_LongPiecesWithoutBreaks_EqualsTheReference(string encoding)
    {
        // Pieces over TiktokenCounter.LinearMergeLimit bytes take the heap path.
        var (ours, reference) = For(encoding);
        var random = new Random(7);
        string[] alphabets = ["abcdefghijklmnopqrstuvwxyz", "aeiou", "xyzq", "!@#$%^&*()=+-_~`[]{}|;:,.<>?/", "日本語中文한국", "éàüößçñ"];
        for (var i = 0; i < 120; i++)
        {
            var alphabet = alphabets[i % alphabets.Length];
            var builder = new StringBuilder();
            var length = random.Next(100, 3_000);
            while (builder.Length < length)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var text = builder.ToString();
            Assert.True(reference.CountTokens(text) == ours.Count(text), Describe(encoding, text, reference.CountTokens(text), ours.Count(text)));
        }
    }

    /// <summary>
    /// A 10 MB body may hold one unbroken "word". Merging it by linear scans is quadratic: TiktokenTokenizer 2.0.1,
    /// which admission used before, takes ~0.75 s for 60,000 random letters and would take about an hour for these
    /// 4 million; the heap merge takes seconds. The timeout is a hang guard, not a speed goal (that is in
    /// <c>Gateway.Bench tokens</c>).
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task Count_FourMillionCharactersWithoutABreak_DoesNotHang()
    {
        var (ours, _) = For(TiktokenEncodings.O200kBase);
        var random = new Random(3);
        var letters = new string(Enumerable.Range(0, 4_000_000).Select(_ => (char)('a' + random.Next(26))).ToArray());

        var (same, mixed) = await Task.Run(() => (ours.Count(new string('a', 4_000_000)), ours.Count(letters)));

        Assert.Equal(500_000, same); // "aaaaaaaa" is one token: as the reference counts 20,000 of them (2,500)
        Assert.InRange(mixed, 1_000_000, 4_000_000);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Vocabulary_RanksAreTheReferenceIds_AndItIsCompact(string encoding)
    {
        var (ours, reference) = For(encoding);
        var checkedWords = 0;
        foreach (var word in "the quick brown fox jumps over lazy dog hello world tokenizer gateway metering 日本 Привет".Split(' '))
        {
            foreach (var piece in new[] { word, " " + word })
            {
                var ids = reference.EncodeToIds(piece);
                if (ids.Count == 1)
                {
                    Assert.Equal(ids[0], ours.Vocabulary.Rank(Encoding.UTF8.GetBytes(piece)));
                    checkedWords++;
                }
            }
        }

        Assert.True(checkedWords >= 10, $"only {checkedWords} single-token words checked");
        Assert.Equal(-1, ours.Vocabulary.Rank("this is surely not one token"u8));
        Assert.Equal(encoding == TiktokenEncodings.O200kBase ? 199_998 : 100_256, ours.Vocabulary.Count);
        // The whole vocabulary in a few arrays: the reference holds ~40 MB in dictionaries for o200k_base.
        Assert.InRange(ours.Vocabulary.FootprintBytes, 1, 8L << 20);
    }

    [Fact]
    public void Load_RanksOutOfOrder_Refused()
    {
        var lines = new MemoryStream("YQ== 0\nYg== 2\n"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => TiktokenVocabulary.Load(lines));
        Assert.Contains("in order", error.Message);
    }

    [Fact]
    public void Load_PlainTiktokenFile_RanksByLine()
    {
        var vocabulary = TiktokenVocabulary.Load(new MemoryStream("YQ== 0\nYg== 1\nYWI= 2\n"u8.ToArray()));
        Assert.Equal(3, vocabulary.Count);
        Assert.Equal(2, vocabulary.Rank("ab"u8));
        Assert.Equal(-1, vocabulary.Rank("ba"u8));
    }

    private static readonly string[] Alphabets =
    [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ      '.,;:!?\n",
        "abcXYZ0123456789 \t\r\n'sStTmMdD",
        "{}[]\":,0123456789 abc\\/\n",
        "éèêëàâäôöûüçñßÉÈÀ áíóú ",
        "日本語中文한국어テキスト。、「」 ",
        "\u0301\u0308\u0303abc ",
        " \r\n\t\u00a0\u2003\u3000x",
    ];

    private static readonly string[] Extras = ["😀", "👩‍👩‍👧", "🇫🇷", "\ud800", "\udfff", "<|endoftext|>", "<|endofprompt|>", "<|fim_prefix|>", "'re", "'LL", "\r\n", "  "];

    private static string RandomText(Random random, int length, int alphabet)
    {
        var chars = Alphabets[alphabet];
        var builder = new StringBuilder(length + 16);
        while (builder.Length < length)
        {
            if (random.Next(12) == 0)
            {
                builder.Append(Extras[random.Next(Extras.Length)]);
            }
            else
            {
                builder.Append(chars[random.Next(chars.Length)]);
            }
        }

        return builder.ToString();
    }

    private static string Describe(string encoding, string text, int expected, int actual)
    {
        var shown = text.Length > 200 ? text[..200] + $"… ({text.Length} chars)" : text;
        var escaped = string.Concat(shown.Select(c => c < ' ' || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString()));
        return $"{encoding}: reference {expected}, ours {actual} for \"{escaped}\"";
    }
}
