using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;
using Microsoft.Extensions.Options;

namespace Gateway.Simulator;

/// <summary>
/// An OpenAI-compatible provider inside the gateway, for the demo, tests and benchmarks: chat completions (streamed
/// or not, honouring <c>stream_options.include_usage</c> exactly as OpenAI does), legacy completions, embeddings,
/// the Responses API and the model list. A request can ask it to fail with <c>X-Simulator-Fault</c>: <c>429</c>,
/// <c>500</c>, <c>cut</c> (the stream stops half-way, no usage, no <c>[DONE]</c>) or <c>error</c> (an error event
/// mid-stream).
/// </summary>
internal static class SimulatorEndpoints
{
    public static readonly string[] Models = ["sim-1", "sim-mini", "sim-reasoner", "sim-embed"];

    public static IEndpointRouteBuilder MapSimulator(this IEndpointRouteBuilder endpoints, string prefix)
    {
        var group = endpoints.MapGroup(prefix).ExcludeFromDescription();
        group.MapPost("/chat/completions", (HttpContext c, TokenEstimator e, IOptions<SimulatorOptions> o, TimeProvider t) => Answer(c, e, o.Value, t, SimulatedApi.Chat));
        group.MapPost("/completions", (HttpContext c, TokenEstimator e, IOptions<SimulatorOptions> o, TimeProvider t) => Answer(c, e, o.Value, t, SimulatedApi.Completions));
        group.MapPost("/responses", (HttpContext c, TokenEstimator e, IOptions<SimulatorOptions> o, TimeProvider t) => Answer(c, e, o.Value, t, SimulatedApi.Responses));
        group.MapPost("/embeddings", (HttpContext c, TokenEstimator e, IOptions<SimulatorOptions> o, TimeProvider t) => Answer(c, e, o.Value, t, SimulatedApi.Embeddings));
        group.MapGet("/models", (TimeProvider t) => Results.Text(ModelList(t), "application/json"));
        return endpoints;
    }

    private static async Task Answer(HttpContext context, TokenEstimator estimator, SimulatorOptions options, TimeProvider time, SimulatedApi api)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        var facts = RequestInspector.Inspect(body.Span, out var invalid);
        if (facts is null || facts.Model is null)
        {
            await Error(context, 400, "invalid_request_error", "invalid_request", invalid ?? "You must provide a model parameter.");
            return;
        }

        var fault = context.Request.Headers["X-Simulator-Fault"].ToString();
        if (fault == "429")
        {
            context.Response.Headers.RetryAfter = "1";
            await Error(context, 429, "requests", "rate_limit_exceeded", "Rate limit reached for requests (simulated).");
            return;
        }

        if (fault == "500")
        {
            await Error(context, 500, "server_error", "server_error", "The server had an error while processing your request (simulated).");
            return;
        }

        var answer = SimulatedAnswer.For(body.Span, facts, estimator, options);
        var delay = int.TryParse(context.Request.Headers["X-Simulator-Chunk-Delay-Ms"], out var ms) ? TimeSpan.FromMilliseconds(ms) : options.ChunkDelay;
        var writer = new SimulatedWriter(context, answer, time, delay, fault);
        switch (api)
        {
            case SimulatedApi.Embeddings:
                await writer.EmbeddingsAsync(body);
                break;
            case SimulatedApi.Responses when facts.Stream:
                await writer.ResponsesStreamAsync();
                break;
            case SimulatedApi.Responses:
                await writer.ResponseAsync();
                break;
            case var _ when facts.Stream:
                await writer.ChatStreamAsync(api == SimulatedApi.Completions, facts.IncludeUsage);
                break;
            default:
                await writer.ChatAsync(api == SimulatedApi.Completions);
                break;
        }
    }

    private static string ModelList(TimeProvider time)
    {
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var items = Models.Select(m => $$"""{"id":"{{m}}","object":"model","created":{{created}},"owned_by":"gateway-simulator"}""");
        return $$"""{"object":"list","data":[{{string.Join(",", items)}}]}""";
    }

    internal static async Task Error(HttpContext context, int status, string type, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", message);
        json.WriteString("type", type);
        json.WriteNull("param");
        json.WriteString("code", code);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
