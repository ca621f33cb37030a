namespace Gateway.Metering.Usage;

/// <summary>The API family of a request; picks the request inspection and the usage parser (USAGE-FORMATS.md §8).</summary>
internal enum ApiKind
{
    ChatCompletions,
    Completions,
    Embeddings,
    Responses,
    Models,
    AnthropicMessages,
    GeminiGenerateContent,
}
