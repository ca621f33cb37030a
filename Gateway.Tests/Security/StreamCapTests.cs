using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gateway.Proxy;
using Gateway.Tests.Functional;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Security;

/// <summary>
/// Proxy:MaxConcurrentStreamsPerTenant (1 here): one more stream is refused with 429 in the OpenAI shape, other
/// tenants and unstreamed requests are not counted, and the slot comes back however a stream ends.
/// </summary>
public sealed class StreamCapTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _holds = new();
    private ScriptedUpstream _upstream = null!;
    private GatewayHost _gateway = null!;

    private TenantStreamLimiter Limiter => _gateway.Services.GetRequiredService<TenantStreamLimiter>();

    public async Task InitializeAsync()
    {
        _upstream = await ScriptedUpstream.StartAsync();
        _upstream.Handler = async (context, body) =>
        {
            var streamed = Encoding.UTF8.GetString(body).Contains("\"stream\":true", StringComparison.Ordinal);
            context.Response.ContentType = streamed ? "text/event-stream" : "application/json";
            if (!streamed)
            {
                await context.Response.WriteAsync("{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}");
                return;
            }

            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"one\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            var hold = context.Request.Headers["X-Hold"].ToString();
            if (hold.Length > 0)
            {
                await _holds.GetOrAdd(hold, _ => new TaskCompletionSource()).Task.WaitAsync(TimeSpan.FromSeconds(20));
            }

            if (context.Request.Headers["X-Fail"] == "abort")
            {
                context.Abort(); // the upstream dies mid-stream
                return;
            }

            await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n");
        };
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:openai:BaseUrl"] = _upstream.BaseUrl,
            ["Providers:dead:Kind"] = "openai",
            ["Providers:dead:BaseUrl"] = "http://127.0.0.1:1/v1",
            ["Providers:dead:Models:0"] = "dead-*",
            ["Proxy:MaxConcurrentStreamsPerTenant"] = "1",
            ["Admission:AllowUnpricedModels"] = "true",
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var hold in _holds.Values)
        {
            hold.TrySetResult();
        }

        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task SecondStream_OverTheCap_429ThenAllowedOnceTheFirstCompletes()
    {
        var (tenant, key, _) = await _gateway.NewTenantAsync();
        var (_, otherKey, _) = await _gateway.NewTenantAsync();
        using var client = _gateway.Client(key);

        using var first = await SendAsync(client, stream: true, hold: "first");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, Limiter.Open(tenant));

        using var refused = await SendAsync(client, stream: true);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        await BadInputTests.AssertOpenAiError(refused, "concurrent_streams_exceeded");
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Contains("reason=\"concurrent_streams_exceeded\"", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        using (var unstreamed = await SendAsync(client, stream: false))
        {
            Assert.Equal(HttpStatusCode.OK, unstreamed.StatusCode); // only streams count
        }

        using (var otherClient = _gateway.Client(otherKey))
        using (var other = await SendAsync(otherClient, stream: true))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode); // per tenant
            await other.Content.ReadAsStringAsync();
        }

        Release("first");
        Assert.EndsWith("data: [DONE]\n\n", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertReleasedAsync(tenant);
        using var next = await SendAsync(client, stream: true);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Slot_ReleasedWhenTheClientLeaves()
    {
        var (tenant, key, _) = await _gateway.NewTenantAsync();
        using var client = _gateway.Client(key);

        var open = await SendAsync(client, stream: true, hold: "left-" + tenant);
        Assert.Equal(1, Limiter.Open(tenant));
        open.Dispose(); // the client goes away mid-stream
        client.CancelPendingRequests();

        await AssertReleasedAsync(tenant);
        Release("left-" + tenant);
    }

    [Fact]
    public async Task Slot_ReleasedWhenTheUpstreamFailsMidStream()
    {
        var (tenant, key, _) = await _gateway.NewTenantAsync();
        using var client = _gateway.Client(key);

        try
        {
            using var response = await SendAsync(client, stream: true, fail: true);
            await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            // The cut reaches the client as a broken response: mid-body, or as a reset before the headers when the
            // upstream dies before the first chunk was flushed to the client (a race, either is right).
        }

        await AssertReleasedAsync(tenant);
    }

    [Fact]
    public async Task Slot_ReleasedWhenTheUpstreamIsUnreachableOrAdmissionRefuses()
    {
        var (tenant, key, _) = await _gateway.NewTenantAsync();
        using var client = _gateway.Client(key);

        using (var unreachable = await SendAsync(client, stream: true, model: "dead-1"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, unreachable.StatusCode);
        }

        await AssertReleasedAsync(tenant);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Admin.PutAsJsonAsync($"/admin/tenants/{tenant}/limits", new { requests_per_minute = 0 })).StatusCode);
        using (var refused = await SendAsync(client, stream: true))
        {
            await BadInputTests.AssertOpenAiError(refused, "rate_limit_exceeded");
        }

        await AssertReleasedAsync(tenant);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, bool stream, string? hold = null, bool fail = false, string model = "gpt-4o")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"" + model + "\",\"stream\":" + (stream ? "true" : "false") + ",\"messages\":[]}", Encoding.UTF8, "application/json"),
        };
        if (hold is not null)
        {
            request.Headers.Add("X-Hold", hold);
        }

        if (fail)
        {
            request.Headers.Add("X-Fail", "abort");
        }

        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private void Release(string hold) => _holds.GetOrAdd(hold, _ => new TaskCompletionSource()).TrySetResult();

    private async Task AssertReleasedAsync(string tenant)
    {
        for (var i = 0; i < 200 && Limiter.Open(tenant) != 0; i++)
        {
            await Task.Delay(25);
        }

        Assert.Equal(0, Limiter.Open(tenant));
    }
}
