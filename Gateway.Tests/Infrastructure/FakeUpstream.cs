using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A provider stand-in on Kestrel (127.0.0.1, port 0) that replays a shared fixture chosen by the request's
/// <c>X-Fixture</c> header (or a <c>fixture/&lt;name&gt;</c> model): its status, content type and body bytes exactly, streamed in small uneven pieces so
/// events and tokens split across reads. <c>X-Fake-Abort: true</c> drops the connection after the bytes.
/// Every request it receives is kept for assertions.
/// </summary>
internal sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app) => _app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    private readonly ConcurrentDictionary<string, int> _sequence = new(StringComparer.Ordinal);

    /// <summary>The OpenAI-style API root (ends in /v1).</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The host root, as Anthropic and Gemini SDKs take it.</summary>
    public string Root { get; private set; } = "";

    public static async Task<FakeUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        upstream.Root = app.Urls.First();
        upstream.BaseUrl = upstream.Root + "/v1";
        return upstream;
    }

    public int CountFor(string marker) => Requests.Count(r => r.Headers.TryGetValue("X-Fixture", out var v) && v == marker);

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new Received(context.Request.Path + context.Request.QueryString, headers, body.ToArray()));

        var name = context.Request.Headers["X-Fixture"].ToString();
        if (name.Length == 0 && body.Length > 0)
        {
            // An SDK cannot always add a header: "model": "fixture/<name>" picks the transcript instead.
            try
            {
                using var json = JsonDocument.Parse(body.ToArray());
                if (json.RootElement.TryGetProperty("model", out var model) && model.GetString() is { } m && m.StartsWith("fixture/", StringComparison.Ordinal))
                {
                    name = m["fixture/".Length..];
                }
            }
            catch (JsonException)
            {
            }
        }

        if (name.Contains('|', StringComparison.Ordinal))
        {
            // "a|b#id": the first request with this header gets a, the next b (to exercise fallbacks).
            var turn = _sequence.AddOrUpdate(name, 0, (_, n) => n + 1);
            var steps = name.Split('#')[0].Split('|');
            name = steps[Math.Min(turn, steps.Length - 1)];
        }

        if (name.Length == 0 || !Directory.Exists(SharedFixtures.Dir(name.Split('#')[0])))
        {
            context.Response.StatusCode = 404;
            return;
        }

        name = name.Split('#')[0];
        var meta = SharedFixtures.Json(name, "response.meta.json");
        context.Response.StatusCode = meta.GetProperty("status").GetInt32();
        foreach (var header in meta.GetProperty("headers").EnumerateObject())
        {
            if (header.Name.Equals("content-type", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.ContentType = header.Value.GetString();
            }
            else if (!header.Name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[header.Name] = header.Value.GetString();
            }
        }

        var bytes = SharedFixtures.Response(name);
        var piece = 1;
        for (var offset = 0; offset < bytes.Length;)
        {
            var size = Math.Min(bytes.Length - offset, 7 + (piece++ * 37 % 90));
            await context.Response.Body.WriteAsync(bytes.AsMemory(offset, size));
            await context.Response.Body.FlushAsync();
            offset += size;
        }

        if (context.Request.Headers["X-Fake-Abort"] == "true")
        {
            context.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Received(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public JsonElement Json()
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }
}
