using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Bad input gets an OpenAI-shaped error before the upstream is called, and nothing is metered.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BadInputTests(GatewayFixture fixture)
{
    [Theory]
    [InlineData("{\"model\":\"gpt-4o\",\"messages\":[", "invalid_json")]
    [InlineData("[1,2,3]", "invalid_json")]
    [InlineData("{\"model\":\"m\"}{\"model\":\"n\"}", "invalid_json")]
    [InlineData("{\"messages\":[]}", "invalid_request")]
    [InlineData("{\"model\":42}", "invalid_request")]
    public async Task Post_BadBody_400BeforeUpstreamAndNoEvent(string body, string code)
    {
        var gateway = fixture.Replay;
        var (tenant, key, _) = await gateway.NewTenantAsync();
        var marker = "01_openai_chat_nonstream_cached_reasoning#" + tenant;
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Fixture", marker);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertOpenAiError(response, code);
        Assert.Equal(0, fixture.Upstream.CountFor(marker));
        await gateway.EventsAsync(tenant, 0, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Post_OversizedBody_413BeforeUpstream()
    {
        var gateway = fixture.Replay;
        var (_, key, _) = await gateway.NewTenantAsync();
        var marker = "01_openai_chat_nonstream_cached_reasoning#big";
        using var client = gateway.Client(key);
        var big = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 10 * 1024 * 1024) + "\"}]}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(big, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Fixture", marker);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertOpenAiError(response, "request_too_large");
        Assert.Equal(0, fixture.Upstream.CountFor(marker));
    }

    [Fact]
    public async Task Post_OversizedChunkedBody_413()
    {
        var gateway = fixture.Simulated;
        var (_, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        var big = new byte[11 * 1024 * 1024];
        Array.Fill(big, (byte)' ');
        using var content = new StreamContent(new MemoryStream(big)); // no length: sent chunked
        content.Headers.ContentType = new("application/json");

        var response = await client.PostAsync("/v1/chat/completions", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer sk-gw-unknownkey0000000000000000000000")]
    [InlineData("Bearer ' OR 1=1 --")]
    [InlineData("Bearer ключ")]
    public async Task Post_BadKey_401BeforeUpstream(string? authorization)
    {
        var marker = "01_openai_chat_nonstream_cached_reasoning#auth" + Guid.NewGuid();
        // UTF-8 on the wire, so a non-ASCII key really reaches the gateway.
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(fixture.Replay.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent("{\"model\":\"m\"}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Fixture", marker);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertOpenAiError(response, "invalid_api_key");
        Assert.Equal(0, fixture.Upstream.CountFor(marker));
    }

    [Theory]
    [InlineData(8_000, HttpStatusCode.Unauthorized)]
    [InlineData(60_000, HttpStatusCode.RequestHeaderFieldsTooLarge)] // past Kestrel's 32 KB header limit: refused before any code of ours
    public async Task Post_KeyOfAbsurdLength_RefusedQuickly(int length, HttpStatusCode expected)
    {
        using var client = fixture.Replay.Client(new string('k', length));

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"m\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
    }

    internal static async Task AssertOpenAiError(HttpResponseMessage response, string code)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
    }
}
