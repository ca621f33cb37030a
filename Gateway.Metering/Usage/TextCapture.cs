namespace Gateway.Metering.Usage;

/// <summary>Which string values of a response count as delivered output text, for estimating when usage is missing.</summary>
internal enum TextCapture
{
    /// <summary>Collect nothing.</summary>
    None,

    /// <summary>Chat and legacy completions: message or delta <c>content</c>, <c>refusal</c>, <c>text</c>,
    /// reasoning text and tool-call <c>arguments</c>.</summary>
    Completions,

    /// <summary>A Responses API stream event: only the root <c>delta</c> of <c>*.delta</c> events, so the final
    /// <c>response.completed</c> snapshot does not count the text twice.</summary>
    ResponsesStreamEvent,

    /// <summary>A whole Responses API object: output <c>text</c> and <c>arguments</c>.</summary>
    ResponsesObject,

    /// <summary>Anthropic Messages: <c>text</c>, <c>thinking</c> and tool input (<c>partial_json</c> when streamed).</summary>
    Anthropic,

    /// <summary>Gemini: the <c>text</c> of candidate parts (thought parts included: they are billed as output).</summary>
    Gemini,
}
