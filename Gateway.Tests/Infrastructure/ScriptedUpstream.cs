using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A provider stand-in on Kestrel (127.0.0.1, port 0) whose answer a test writes: <see cref="Handler"/> gets the
/// request and its body. Every request is kept, for asserting what reached "the provider".
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedUpstream(WebApplication app) => _app = app;

    public ConcurrentQueue<FakeUpstream.Received> Requests { get; } = new();

    /// <summary>How the next requests are answered. Default: 200 with an empty JSON object.</summary>
    public Func<HttpContext, byte[], Task> Handler { get; set; } = (context, _) =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{}");
    };

    public string Root { get; private set; } = "";

    /// <summary>The OpenAI-style API root (ends in /v1).</summary>
    public string BaseUrl => Root + "/v1";

    public static async Task<ScriptedUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new ScriptedUpstream(app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        upstream.Root = app.Urls.First();
        return upstream;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new FakeUpstream.Received(context.Request.Path + context.Request.QueryString, headers, body.ToArray()));
        await Handler(context, body.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
