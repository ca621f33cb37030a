using Gateway.Metering.Usage;

namespace Gateway.Proxy;

/// <summary>The provider routes clients call with their virtual key: OpenAI-compatible, Azure, Anthropic, Gemini.</summary>
internal static class ProxyEndpoints
{
    public static IEndpointRouteBuilder MapProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.ChatCompletions));
        endpoints.MapPost("/v1/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Completions));
        endpoints.MapPost("/v1/embeddings", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Embeddings));
        endpoints.MapPost("/v1/responses", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Responses));
        endpoints.MapGet("/v1/models", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Models));

        // Anthropic Messages: the official SDK with base URL = the gateway root.
        endpoints.MapPost("/v1/messages", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.AnthropicMessages));

        // Azure OpenAI: the deployment in the path names the model; api-version and the api-key header pass on.
        endpoints.MapPost("/openai/deployments/{deployment}/chat/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.ChatCompletions));
        endpoints.MapPost("/openai/deployments/{deployment}/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Completions));
        endpoints.MapPost("/openai/deployments/{deployment}/embeddings", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Embeddings));

        // Azure OpenAI's v1 surface: the standard OpenAI client with base URL .../openai/v1; the model is the deployment.
        endpoints.MapPost("/openai/v1/chat/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.ChatCompletions));
        endpoints.MapPost("/openai/v1/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Completions));
        endpoints.MapPost("/openai/v1/embeddings", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Embeddings));
        endpoints.MapPost("/openai/v1/responses", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Responses));

        // Gemini: /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse.
        endpoints.MapPost("/v1beta/models/{target}", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.GeminiGenerateContent));
        return endpoints;
    }
}
