namespace Gateway.Metering.Usage;

/// <summary>
/// The text delivered to the client, kept only for estimating output tokens when the provider reports no usage (a
/// cut stream, an upstream without usage). Once the model's tokenizer is known (<see cref="CountWith"/>), text past
/// <see cref="CountEvery"/> characters is counted up to its last word and dropped, so a request holds at most that
/// much however long the answer: a reasoning model's 100,000-token stream no longer keeps ~800 KB per request until it
/// ends. Without a tokenizer the first <c>limit</c> characters are kept and the rest estimated at 4 characters a
/// token.
/// </summary>
internal sealed class DeliveredText(int limit = DeliveredText.DefaultLimit)
{
    /// <summary>Kept without a tokenizer, as before this type: 4 M characters (8 MB).</summary>
    public const int DefaultLimit = 1 << 22;

    /// <summary>Characters kept before they are counted and dropped (32 KB).</summary>
    public const int CountEvery = 16 * 1024;

    private char[] _chars = [];
    private int _length;
    private TokenEstimator? _estimator;
    private string? _model;

    /// <summary>Tokens of the text already counted and dropped.</summary>
    public long CountedTokens { get; private set; }

    /// <summary>Characters past the limit, neither kept nor counted (no tokenizer was given).</summary>
    public long OverflowChars { get; private set; }

    /// <summary>Characters held in memory now (the buffer, which grows to what is kept).</summary>
    public int Capacity => _chars.Length;

    /// <summary>From now on, text past <see cref="CountEvery"/> is counted with this model's tokenizer and dropped.</summary>
    public void CountWith(TokenEstimator estimator, string? model)
    {
        _estimator = estimator;
        _model = model;
    }

    public void Append(ReadOnlySpan<char> value)
    {
        while (!value.IsEmpty)
        {
            var max = _estimator is null ? limit : CountEvery;
            var room = max - _length;
            if (room <= 0)
            {
                if (_estimator is null)
                {
                    OverflowChars += value.Length;
                    return;
                }

                CountKept();
                continue;
            }

            var piece = value[..Math.Min(room, value.Length)];
            Grow(_length + piece.Length, max);
            piece.CopyTo(_chars.AsSpan(_length));
            _length += piece.Length;
            value = value[piece.Length..];
        }
    }

    /// <summary>Output tokens of everything delivered: counted, kept (counted now) and overflow (4 characters a token).</summary>
    public long EstimateTokens(TokenEstimator estimator, string? model)
        => CountedTokens + estimator.Count(model, _chars.AsSpan(0, _length)) + ((OverflowChars + 3) / 4);

    /// <summary>The text kept now (not what was counted and dropped).</summary>
    public override string ToString() => new(_chars, 0, _length);

    /// <summary>Counts the kept text up to the start of its last word (" word": the tokenizer splits there too) and
    /// keeps the rest; text without such a place is counted whole.</summary>
    private void CountKept()
    {
        var kept = _chars.AsSpan(0, _length);
        var cut = LastWordStart(kept);
        CountedTokens += _estimator!.Count(_model, kept[..cut]);
        kept[cut..].CopyTo(_chars);
        _length -= cut;
    }

    private static int LastWordStart(ReadOnlySpan<char> text)
    {
        for (var i = text.Length - 1; i > 0; i--)
        {
            if (text[i] == ' ' && !char.IsWhiteSpace(text[i - 1]) && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]))
            {
                return i;
            }
        }

        return text.Length;
    }

    private void Grow(int needed, int max)
    {
        if (needed <= _chars.Length)
        {
            return;
        }

        var size = Math.Min(max, Math.Max(needed, Math.Max(256, _chars.Length * 2)));
        Array.Resize(ref _chars, size);
    }
}
