using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Security;

/// <summary>
/// Headers both ways: hop-by-hop and client credentials never reach the provider; provider cookies and account
/// headers never reach the client unless configured; a provider that echoes its key in an error has it masked.
/// </summary>
public sealed class HeaderHygieneTests
{
    private const string ProviderKey = "sk-provider-hygiene-4c1f9a0b7e";

    [Fact]
    public async Task Forwarding_HopByHopAndClientCredentials_NeverReachTheProvider()
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream);
        var (_, key, _) = await gateway.NewTenantAsync();
        const string body = "{\"model\":\"gpt-4o\",\"messages\":[]}";

        var answer = await RawHttp.SendAsync(gateway.BaseUrl,
            "POST /v1/chat/completions?key=" + key + " HTTP/1.1\r\n" +
            "Host: gateway\r\n" +
            "Authorization: Bearer " + key + "\r\n" +
            "x-api-key: " + key + "\r\n" +
            "api-key: " + key + "\r\n" +
            "x-goog-api-key: " + key + "\r\n" +
            "Cookie: session=client-cookie\r\n" +
            "Proxy-Authorization: Basic cHJveHk6c2VjcmV0\r\n" +
            "Proxy-Connection: keep-alive\r\n" +
            "Keep-Alive: timeout=5\r\n" +
            "Connection: X-Hop-Secret\r\n" +
            "X-Hop-Secret: hop-value\r\n" +
            "TE: gzip\r\n" +
            "Accept-Encoding: gzip, br\r\n" +
            "X-Meter-Feature: billing-label\r\n" +
            "X-End-To-End: kept\r\n" +
            "Content-Type: application/json\r\n" +
            "Content-Length: " + body.Length + "\r\n\r\n" + body);

        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("Bearer " + ProviderKey, received.Headers["Authorization"]);
        Assert.Equal("kept", received.Headers["X-End-To-End"]); // end-to-end headers do pass
        Assert.Equal(new Uri(upstream.Root).Authority, received.Headers["Host"]); // not the client's Host
        foreach (var name in (string[])["x-api-key", "api-key", "x-goog-api-key", "Cookie", "Proxy-Authorization", "Proxy-Connection", "Keep-Alive", "X-Hop-Secret", "TE", "Accept-Encoding", "X-Meter-Feature"])
        {
            Assert.False(received.Headers.ContainsKey(name), name + " reached the provider");
        }

        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain(key, received.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(429)]
    public async Task Answer_ProviderCookiesAndAccountHeaders_RemovedUnlessPassed(int status)
    {
        await using var upstream = await ScriptedUpstream.StartAsync();
        upstream.Handler = (context, _) =>
        {
            context.Response.StatusCode = status;
            var headers = context.Response.Headers;
            headers.SetCookie = "__cf_bm=provider-cookie; path=/";
            headers["openai-organization"] = "org-gateway-company";
            headers["openai-project"] = "proj_gateway";
            headers["anthropic-organization-id"] = "0f1e2d3c";
            headers["x-ratelimit-limit-requests"] = "99999";
            headers["anthropic-ratelimit-tokens-limit"] = "88888";
            headers["x-echo"] = "received " + ProviderKey;
            headers["openai-processing-ms"] = "12";
            headers["retry-after"] = "1";
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{}");
        };
        await using var gateway = await StartAsync(upstream, ("Proxy:PassResponseHeaders:0", "openai-project"));
        var (_, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"gpt-4o\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        var names = response.Headers.Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in (string[])["Set-Cookie", "openai-organization", "anthropic-organization-id", "anthropic-ratelimit-tokens-limit", "x-echo"])
        {
            Assert.DoesNotContain(name, names);
        }

        Assert.False(response.Headers.TryGetValues("x-ratelimit-limit-requests", out var limit) && limit.Contains("99999"), "the provider account's limit reached the client");
        Assert.Equal("proj_gateway", response.Headers.GetValues("openai-project").Single()); // configured to pass
        Assert.Equal("12", response.Headers.GetValues("openai-processing-ms").Single()); // not an account header
        Assert.Contains("retry-after", names);
    }

    [Fact]
    public async Task ErrorAnswer_EchoesTheProviderKey_ClientGetsItMasked()
    {
        var echo = "{\"error\":{\"message\":\"Incorrect API key provided: " + ProviderKey + ". Key " + ProviderKey + " is revoked.\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";
        await using var upstream = await ScriptedUpstream.StartAsync();
        upstream.Handler = async (context, _) =>
        {
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = echo.Length;
            var bytes = Encoding.UTF8.GetBytes(echo);
            for (var offset = 0; offset < bytes.Length; offset += 7) // the key split across writes
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(offset, Math.Min(7, bytes.Length - offset)));
                await context.Response.Body.FlushAsync();
            }
        };
        await using var gateway = await StartAsync(upstream);
        var (_, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"gpt-4o\"}", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(ProviderKey, body, StringComparison.Ordinal);
        Assert.Equal(echo.Replace(ProviderKey, new string('*', ProviderKey.Length), StringComparison.Ordinal), body);
    }

    private static Task<GatewayHost> StartAsync(ScriptedUpstream upstream, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Providers:openai:BaseUrl"] = upstream.BaseUrl,
            ["Providers:openai:ApiKey"] = ProviderKey,
            ["Admission:AllowUnpricedModels"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return GatewayHost.StartAsync(settings);
    }
}
