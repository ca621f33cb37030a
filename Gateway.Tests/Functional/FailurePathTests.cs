using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Upstream errors, cut streams and clients that leave: still exactly one event, with the right status.</summary>
[Collection(GatewayCollection.Name)]
public sealed class FailurePathTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    [Theory]
    [InlineData("429", HttpStatusCode.TooManyRequests)]
    [InlineData("500", HttpStatusCode.InternalServerError)]
    public async Task UpstreamErrorStatus_PassedThroughAndRecordedNotBillable(string fault, HttpStatusCode status)
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        using var client = Gateway.Client(key);

        var response = await client.SendAsync(Chat("""{"model":"sim-1","messages":[{"role":"user","content":"hi"}]}""", fault));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync());
        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal("upstream_error", e.GetProperty("status").GetString());
        Assert.Equal((int)status, e.GetProperty("http_status").GetInt32());
        Assert.False(e.GetProperty("billable").GetBoolean());
        Assert.Equal("none", e.GetProperty("usage_source").GetString());
        Assert.Equal(0, e.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task ErrorEventMidStream_ClientGetsItAndEventIsEstimated()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        using var client = Gateway.Client(key);

        var response = await client.SendAsync(Chat("""{"model":"sim-1","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", "error"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains("\"error\":{", body);
        Assert.DoesNotContain("[DONE]", body);
        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal("upstream_error", e.GetProperty("status").GetString());
        Assert.Equal("estimated", e.GetProperty("usage_source").GetString());
        Assert.Equal(5, e.GetProperty("output_tokens").GetInt64()); // the five words delivered before the error
        Assert.True(e.GetProperty("billable").GetBoolean());
    }

    [Fact]
    public async Task StreamCutByUpstream_ClientGetsPartialBytesAndEventIsEstimated()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        using var client = Gateway.Client(key);

        string body;
        try
        {
            var request = Chat("""{"model":"sim-1","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", "cut");
            request.Headers.Add("X-Simulator-Chunk-Delay-Ms", "5"); // the answer has begun when the upstream drops
            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            body = await new StreamReader(await response.Content.ReadAsStreamAsync()).ReadToEndAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            body = string.Empty; // the gateway may drop the client connection too; the event must exist either way
        }

        Assert.DoesNotContain("[DONE]", body);
        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal("estimated", e.GetProperty("usage_source").GetString());
        Assert.True(e.GetProperty("input_tokens").GetInt64() > 0);
        Assert.Equal(5, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal("upstream_error", e.GetProperty("status").GetString());
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
    }

    [Fact]
    public async Task ClientLeavesMidStream_EventIsClientCancelledAndEstimated()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(Gateway.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var request = Chat("""{"model":"sim-1","max_tokens":200,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", fault: null);
        request.Headers.Add("X-Simulator-Chunk-Delay-Ms", "20");

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            var read = 0;
            while (read < 600)
            {
                read += await stream.ReadAsync(buffer);
            }
        } // disposing the response closes the connection mid-stream

        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal("client_cancelled", e.GetProperty("status").GetString());
        Assert.Equal("estimated", e.GetProperty("usage_source").GetString());
        Assert.InRange(e.GetProperty("output_tokens").GetInt64(), 1, 199);
        Assert.True(e.GetProperty("billable").GetBoolean());
    }

    [Fact]
    public async Task ClientLeavesMidStream_DrainPolicy_BillsTheProvidersFinalUsage()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Proxy:ClientDisconnect"] = "drain" });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        // No response draining: disposing the response really closes the connection (HttpClient would otherwise read
        // a short answer to its end in the background to reuse the connection, and nobody would have left).
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(gateway.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        var request = Chat("""{"model":"sim-1","max_tokens":40,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", fault: null);
        request.Headers.Add("X-Simulator-Chunk-Delay-Ms", "20");

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            var read = 0;
            while (read < 600)
            {
                read += await stream.ReadAsync(buffer);
            }
        } // the client leaves after a few chunks; the gateway keeps reading the upstream

        var e = Assert.Single(await gateway.EventsAsync(tenant, 1, TimeSpan.FromSeconds(15)));
        Assert.Equal("client_cancelled", e.GetProperty("status").GetString());
        Assert.Equal("provider", e.GetProperty("usage_source").GetString());
        Assert.Equal(40, e.GetProperty("output_tokens").GetInt64()); // the whole answer the provider produced
    }

    [Fact]
    public async Task UpstreamUnreachable_502AndEventNotBillable()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Providers:openai:BaseUrl"] = "http://127.0.0.1:9/v1", ["Admission:AllowUnpricedModels"] = "true" });
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gpt-4o","messages":[]}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "upstream_unavailable");
        var e = Assert.Single(await gateway.EventsAsync(tenant, 1));
        Assert.Equal("upstream_error", e.GetProperty("status").GetString());
        Assert.False(e.GetProperty("billable").GetBoolean());
        Assert.Equal("openai", e.GetProperty("provider").GetString());
    }

    private static HttpRequestMessage Chat(string json, string? fault)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (fault is not null)
        {
            request.Headers.Add("X-Simulator-Fault", fault);
        }

        return request;
    }
}
