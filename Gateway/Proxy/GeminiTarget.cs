using Gateway.Metering.Requests;

namespace Gateway.Proxy;

/// <summary>
/// Gemini puts the model and the method in the path: <c>/v1beta/models/{model}:generateContent</c> or
/// <c>:streamGenerateContent</c> (USAGE-FORMATS.md §5.1). The body carries neither.
/// </summary>
internal static class GeminiTarget
{
    public static RequestFacts Apply(HttpContext context, RequestFacts facts)
    {
        var target = context.GetRouteValue("target") as string ?? string.Empty;
        var colon = target.LastIndexOf(':');
        var model = colon > 0 ? target[..colon] : null;
        var method = colon > 0 ? target[(colon + 1)..] : string.Empty;
        return new RequestFacts
        {
            Model = model,
            Stream = method == "streamGenerateContent",
            User = facts.User,
            MaxOutputTokens = facts.MaxOutputTokens,
        };
    }
}
