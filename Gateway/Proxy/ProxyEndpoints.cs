using Gateway.Metering.Usage;

namespace Gateway.Proxy;

/// <summary>The OpenAI-compatible routes clients call with their virtual key.</summary>
internal static class ProxyEndpoints
{
    public static IEndpointRouteBuilder MapProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/chat/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.ChatCompletions));
        endpoints.MapPost("/v1/completions", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Completions));
        endpoints.MapPost("/v1/embeddings", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Embeddings));
        endpoints.MapPost("/v1/responses", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Responses));
        endpoints.MapGet("/v1/models", (HttpContext c, ProxyHandler h) => h.HandleAsync(c, ApiKind.Models));
        return endpoints;
    }
}
