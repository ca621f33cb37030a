using Gateway.Metering.Requests;
using Gateway.Metering.Usage;

namespace Gateway.Simulator;

/// <summary>
/// The deterministic answer to a request: prompt tokens counted with the gateway's own tokenizer, completion tokens
/// from max_tokens (or the default), text made of words that are one token each so an estimate of the delivered
/// text equals the reported count. Models whose name contains <c>reason</c> or starts with <c>o</c> spend half of
/// the completion on hidden reasoning; prompts of 1,024 tokens or more report their 128-token blocks as cached, as
/// OpenAI's prompt caching does.
/// </summary>
internal sealed record SimulatedAnswer(string Model, long PromptTokens, long CompletionTokens, long ReasoningTokens, long CachedTokens, string[] Words)
{
    private static readonly string[] Vocabulary = [" the", " of", " and", " to", " in", " is", " that", " for", " it", " as", " with", " on"];

    public string Text => string.Concat(Words);

    public static SimulatedAnswer For(ReadOnlySpan<byte> body, RequestFacts facts, TokenEstimator estimator, SimulatorOptions options)
    {
        var model = facts.Model ?? "sim-1";
        var prompt = estimator.CountInput(model, body);
        var completion = Math.Min(facts.MaxOutputTokens ?? options.DefaultMaxTokens, options.MaxTokens);
        var reasoning = model.Contains("reason", StringComparison.OrdinalIgnoreCase) || model.StartsWith('o') ? completion / 2 : 0;
        var cached = prompt >= 1024 ? prompt / 128 * 128 : 0;
        var words = new string[completion - reasoning];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Vocabulary[i % Vocabulary.Length];
        }

        return new SimulatedAnswer(model, prompt, completion, reasoning, cached, words);
    }
}
