using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A platform's webhook endpoint on Kestrel (127.0.0.1, port 0): keeps every request, and answers 503 to the first
/// <see cref="FailFirst"/> attempts of each event id (all of them when negative), 200 after.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _seen = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<Hit> Hits { get; } = new();

    public int FailFirst { get; set; }

    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app) { FailFirst = failFirst };
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = app.Urls.First() + "/hooks/gateway?source=test";
        return receiver;
    }

    /// <summary>Polls until <paramref name="done"/> holds for the hits so far; fails the test on timeout.</summary>
    public async Task<IReadOnlyList<Hit>> WaitForAsync(Func<IReadOnlyList<Hit>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var hits = Hits.ToList();
            if (done(hits))
            {
                return hits;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The webhooks expected did not arrive; got {hits.Count}: {string.Join(", ", hits.Select(h => h.Type))}");
            await Task.Delay(50);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var id = context.Request.Headers["X-Gateway-Event-Id"].ToString();
        var attempt = _seen.AddOrUpdate(id, 1, (_, n) => n + 1);
        var accepted = FailFirst >= 0 && attempt > FailFirst;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Hits.Enqueue(new Hit(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray(), accepted));
        context.Response.StatusCode = accepted ? 200 : 503;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Hit(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Accepted)
    {
        public JsonElement Json()
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }

        public string Id => Headers.GetValueOrDefault("X-Gateway-Event-Id", "");

        public string Type => Json().GetProperty("type").GetString()!;

        /// <summary>Checks <c>X-Gateway-Signature: t=..,v1=..</c> the way a receiver would: HMAC-SHA256(secret,
        /// "t.body") in hex, compared in constant time, and t within five minutes of now.</summary>
        public bool SignedWith(string secret)
        {
            var parts = Headers.GetValueOrDefault("X-Gateway-Signature", "").Split(',')
                .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1) || !long.TryParse(t, out var seconds))
            {
                return false;
            }

            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + ".").Concat(Body).ToArray());
            var fresh = Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) <= 300;
            return fresh && CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(v1));
        }
    }
}
