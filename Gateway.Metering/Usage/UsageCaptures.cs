namespace Gateway.Metering.Usage;

/// <summary>Picks the capture for a response from the API family and the answer's content type.</summary>
internal static class UsageCaptures
{
    public static IUsageCapture Create(ApiKind api, bool eventStream, bool stripInjectedUsage)
    {
        if (eventStream)
        {
            return api switch
            {
                ApiKind.Responses => new ResponsesStreamCapture(),
                ApiKind.AnthropicMessages => new AnthropicStreamCapture(),
                ApiKind.GeminiGenerateContent => new GeminiStreamCapture(),
                _ => new ChatStreamCapture(stripInjectedUsage),
            };
        }

        return new JsonBodyCapture(
            api switch
            {
                ApiKind.Responses => TextCapture.ResponsesObject,
                ApiKind.ChatCompletions or ApiKind.Completions => TextCapture.Completions,
                ApiKind.AnthropicMessages => TextCapture.Anthropic,
                ApiKind.GeminiGenerateContent => TextCapture.Gemini,
                _ => TextCapture.None,
            },
            api);
    }
}
