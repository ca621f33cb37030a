namespace Gateway.Metering.Usage;

/// <summary>Which tiktoken encoding estimates a model's tokens. Bound from <c>Metering:Tokenizer</c>.</summary>
internal sealed class TokenizerOptions
{
    public const string Section = "Metering:Tokenizer";

    /// <summary>Encoding for models not matched below and unknown to the tokenizer library. Default o200k_base
    /// (GPT-4o and later); cl100k_base is the other one shipped.</summary>
    public string DefaultEncoding { get; set; } = "o200k_base";

    /// <summary>Model-name prefix → encoding, checked longest prefix first, e.g. <c>"gpt-4-": "cl100k_base"</c>.</summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
