using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Gateway.Metering.Tokens;

/// <summary>
/// The encodings the gateway counts with: OpenAI's published split patterns and special tokens (as tiktoken and
/// Microsoft.ML.Tokenizers define them), and the vocabularies from Microsoft.ML.Tokenizers' data packages.
/// </summary>
internal static partial class TiktokenEncodings
{
    public const string O200kBase = "o200k_base";
    public const string Cl100kBase = "cl100k_base";

    public static readonly string[] Known = [O200kBase, Cl100kBase];

    internal const string O200kPattern = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    internal const string Cl100kPattern = @"'(?i:[sdmt]|ll|ve|re)|(?>[^\r\n\p{L}\p{N}]?)(?>\p{L}+)|(?>\p{N}{1,3})| ?(?>[^\s\p{L}\p{N}]+)(?>[\r\n]*)|(?>\s+)$|\s*[\r\n]|\s+(?!\S)|\s";

    private static readonly Dictionary<string, int> O200kSpecial = new(StringComparer.Ordinal)
    {
        ["<|endoftext|>"] = 199999,
        ["<|endofprompt|>"] = 200018,
    };

    private static readonly Dictionary<string, int> Cl100kSpecial = new(StringComparer.Ordinal)
    {
        ["<|endoftext|>"] = 100257,
        ["<|fim_prefix|>"] = 100258,
        ["<|fim_middle|>"] = 100259,
        ["<|fim_suffix|>"] = 100260,
        ["<|endofprompt|>"] = 100276,
    };

    [GeneratedRegex(O200kPattern)]
    private static partial Regex O200kRegex();

    [GeneratedRegex(Cl100kPattern)]
    private static partial Regex Cl100kRegex();

    /// <summary>Loads an encoding (a few hundred milliseconds: call once and keep it).</summary>
    public static TiktokenCounter Create(string encoding) => encoding switch
    {
        O200kBase => new TiktokenCounter(Load("Microsoft.ML.Tokenizers.Data.O200kBase"), new RegexPreTokenizer(O200kRegex(), O200kSpecial), O200kSpecial.Keys, AsciiSplitter.ForO200k(O200kRegex())),
        Cl100kBase => new TiktokenCounter(Load("Microsoft.ML.Tokenizers.Data.Cl100kBase"), new RegexPreTokenizer(Cl100kRegex(), Cl100kSpecial), Cl100kSpecial.Keys, AsciiSplitter.ForCl100k(Cl100kRegex())),
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, $"Known encodings: {string.Join(", ", Known)}."),
    };

    private static TiktokenVocabulary Load(string dataAssembly)
    {
        var assembly = Assembly.Load(dataAssembly);
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".tiktoken.deflate", StringComparison.Ordinal));
        using var deflated = assembly.GetManifestResourceStream(name)!;
        using var lines = new DeflateStream(deflated, CompressionMode.Decompress);
        return TiktokenVocabulary.Load(lines);
    }
}
