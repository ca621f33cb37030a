using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Gateway.Metering.Requests;
using Gateway.Metering.Tokens;

namespace Gateway.Metering.Usage;

/// <summary>
/// Counts tokens with the model's tiktoken encoding (<see cref="TiktokenCounter"/>: exactly Microsoft.ML.Tokenizers'
/// counts, its pre-tokenizer and data packages, a few MB per encoding; nothing downloaded). Admission reserves by it,
/// events fall back on it when a provider reports no usage, and the simulated provider answers with it, so all agree.
/// </summary>
internal sealed class TokenEstimator
{
    /// <summary>Chat formatting adds a few tokens per message (role markers); OpenAI's cookbook counts 3, plus 3 to
    /// prime the reply.</summary>
    public const int TokensPerMessage = 3;

    public static readonly string[] KnownEncodings = TiktokenEncodings.Known;

    /// <summary>Model names whose encoding is remembered.</summary>
    private const int MaxCachedModels = 10_000;

    private readonly TokenizerOptions _options;
    private readonly KeyValuePair<string, string>[] _prefixes;
    private readonly ConcurrentDictionary<string, Lazy<TiktokenCounter>> _byEncoding = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _encodingByModel = new(StringComparer.Ordinal);

    public TokenEstimator(IOptions<TokenizerOptions> options)
    {
        _options = options.Value;
        _prefixes = [.. _options.Models.OrderByDescending(p => p.Key.Length)];
    }

    /// <summary>Model names remembered now.</summary>
    internal int CachedModels => _encodingByModel.Count;

    public int Count(string? model, string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        return For(model).Count(text);
    }

    public int Count(string? model, ReadOnlySpan<char> text) => text.IsEmpty ? 0 : For(model).Count(text);

    /// <summary>Input tokens of a chat-style request: its text plus the per-message framing.</summary>
    public long CountInput(string? model, string text, int messages)
        => Count(model, text) + Framing(messages);

    /// <summary>Input tokens of a request body (see <see cref="RequestText"/>), its text never made a string.</summary>
    public long CountInput(string? model, ReadOnlySpan<byte> body)
    {
        var text = new PooledText(body.Length);
        try
        {
            var messages = RequestText.Extract(body, ref text);
            return Count(model, text.Written) + Framing(messages);
        }
        finally
        {
            text.Dispose();
        }
    }

    private static int Framing(int messages) => messages > 0 ? (messages * TokensPerMessage) + TokensPerMessage : 0;

    public string EncodingFor(string? model)
    {
        model ??= string.Empty;
        if (_encodingByModel.TryGetValue(model, out var known))
        {
            return known;
        }

        // Model names come from requests: past a bound, new ones are resolved each time rather than kept forever.
        return _encodingByModel.Count < MaxCachedModels ? _encodingByModel.GetOrAdd(model, static (m, self) => self.Resolve(m), this) : Resolve(model);
    }

    private TiktokenCounter For(string? model)
    {
        var encoding = EncodingFor(model);
        return _byEncoding.GetOrAdd(encoding, static e => new Lazy<TiktokenCounter>(() => TiktokenEncodings.Create(e))).Value;
    }

    private string Resolve(string model)
    {
        foreach (var (prefix, encoding) in _prefixes)
        {
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return encoding;
            }
        }

        if (model.StartsWith("gpt-4-", StringComparison.OrdinalIgnoreCase) || model.Equals("gpt-4", StringComparison.OrdinalIgnoreCase)
            || model.StartsWith("gpt-3.5", StringComparison.OrdinalIgnoreCase)
            || model.StartsWith("text-embedding-", StringComparison.OrdinalIgnoreCase))
        {
            return "cl100k_base";
        }

        return _options.DefaultEncoding;
    }
}
