using System.Net;
using System.Text;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Anthropic and Gemini routes: each SDK's way of sending the key, swapped for the provider's.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ProviderRouteTests(GatewayFixture fixture)
{
    [Fact]
    public async Task AnthropicSdk_Message_MeteredLikeTheProviderSaid()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var client = new AnthropicClient { ApiKey = key, BaseUrl = fixture.Replay.BaseUrl, MaxRetries = 0 };

        var message = await client.Messages.Create(new MessageCreateParams
        {
            Model = "fixture/13_anthropic_nonstream_cache",
            MaxTokens = 512,
            Messages = [new UserMessageParam("Summarise the incident.")],
        });

        Assert.Equal(42, message.Usage.InputTokens);
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.Equal("anthropic", e.GetProperty("provider").GetString());
        Assert.Equal("/v1/messages", e.GetProperty("endpoint").GetString());
        Assert.Equal(11842, e.GetProperty("input_tokens").GetInt64());
        Assert.Equal(11800, e.GetProperty("cache_write_tokens").GetInt64());
        Assert.Equal(356, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal(10000, e.GetProperty("raw_usage").GetProperty("cache_creation").GetProperty("ephemeral_1h_input_tokens").GetInt64());
        Assert.Equal(10000, e.GetProperty("cache_write_1h_tokens").GetInt64());
        var received = fixture.Upstream.Requests.Last(r => r.Body.Length > 0 && Encoding.UTF8.GetString(r.Body).Contains("13_anthropic_nonstream_cache"));
        Assert.Equal("sk-ant-provider-secret", received.Headers["x-api-key"]);
        Assert.True(received.Headers.ContainsKey("anthropic-version"));
        Assert.DoesNotContain(received.Headers, h => h.Value.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnthropicSdk_StreamedMessage_CumulativeUsageMeteredOnce()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var client = new AnthropicClient { ApiKey = key, BaseUrl = fixture.Replay.BaseUrl, MaxRetries = 0 };

        var events = 0;
        await foreach (var _ in client.Messages.CreateStreaming(new MessageCreateParams
        {
            Model = "fixture/14_anthropic_stream",
            MaxTokens = 512,
            Messages = [new UserMessageParam("Stream it.")],
        }))
        {
            events++;
        }

        Assert.True(events > 3);
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.True(e.GetProperty("streamed").GetBoolean());
        Assert.Equal(2073, e.GetProperty("input_tokens").GetInt64());
        Assert.Equal(2048, e.GetProperty("cached_input_tokens").GetInt64());
        Assert.Equal(87, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal("completed", e.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gemini_KeyInQuery_ReplacedByProviderKeyAndNeverForwarded()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var marker = "19_gemini_nonstream_thinking_cached";
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Replay.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1beta/models/gemini-2.5-flash:generateContent?key={key}")
        {
            Content = new StringContent("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Fixture", marker);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.Equal("gemini", e.GetProperty("provider").GetString());
        Assert.Equal("gemini-2.5-flash", e.GetProperty("model").GetString());
        Assert.Equal(742, e.GetProperty("output_tokens").GetInt64());
        var received = fixture.Upstream.Requests.Last(r => r.Headers.GetValueOrDefault("X-Fixture") == marker);
        Assert.Equal("gemini-provider-secret", received.Headers["x-goog-api-key"]);
        Assert.DoesNotContain("key=", received.PathAndQuery);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", received.PathAndQuery);
    }

    [Fact]
    public async Task Anthropic_XApiKeyHeader_Authenticates()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Replay.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent("""{"model":"fixture/17_anthropic_429_rate_limit","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", key);
        request.Headers.Add("anthropic-version", "2023-06-01");

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode); // the provider's answer, passed through
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.False(e.GetProperty("billable").GetBoolean());
    }

    [Fact]
    public async Task Refusals_OnEachApi_InThatApisErrorShape()
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Replay.BaseUrl) };
        using var anthropic = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        anthropic.Headers.Add("x-api-key", "sk-gw-nope");
        using var gemini = new HttpRequestMessage(HttpMethod.Post, "/v1beta/models/gemini-2.5-flash:generateContent?key=nope") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };

        var fromAnthropic = await http.SendAsync(anthropic);
        var fromGemini = await http.SendAsync(gemini);

        Assert.Equal(HttpStatusCode.Unauthorized, fromAnthropic.StatusCode);
        using var a = System.Text.Json.JsonDocument.Parse(await fromAnthropic.Content.ReadAsStringAsync());
        Assert.Equal("error", a.RootElement.GetProperty("type").GetString());
        Assert.Equal("authentication_error", a.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, fromGemini.StatusCode);
        using var g = System.Text.Json.JsonDocument.Parse(await fromGemini.Content.ReadAsStringAsync());
        Assert.Equal(401, g.RootElement.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("UNAUTHENTICATED", g.RootElement.GetProperty("error").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ModelPattern_RoutesToItsProvider_ThatGetsNoStreamOptions()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var marker = "03_openai_chat_stream_no_usage#" + tenant;
        using var client = fixture.Replay.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"local-llama","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Fixture", marker);

        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var received = fixture.Upstream.Requests.Single(r => r.Headers.GetValueOrDefault("X-Fixture") == marker);
        Assert.False(received.Json().TryGetProperty("stream_options", out _));
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.Equal("vllm", e.GetProperty("provider").GetString());
        Assert.Equal("estimated", e.GetProperty("usage_source").GetString());
    }

    [Fact]
    public async Task Azure_DeploymentRoute_ApiKeyAndVersionPassed_DeploymentIsTheModel()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var marker = "02_openai_chat_stream_include_usage#" + tenant;
        using var http = new HttpClient { BaseAddress = new Uri(fixture.Replay.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21")
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"Hi there"}],"stream":true,"stream_options":{"include_usage":true}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("api-key", key);
        request.Headers.Add("X-Fixture", marker);

        var response = await http.SendAsync(request);
        await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = fixture.Upstream.Requests.Single(r => r.Headers.GetValueOrDefault("X-Fixture") == marker);
        Assert.Equal("/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21", received.PathAndQuery);
        Assert.Equal("azure-provider-secret", received.Headers["api-key"]);
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.Equal("azure", e.GetProperty("provider").GetString());
        Assert.Equal("prod-gpt4o", e.GetProperty("model").GetString());
        Assert.Equal(28, e.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task Fallback_FirstProviderAnswers429_NextAnswers_OneEventListsTheAttempt()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var marker = "17_anthropic_429_rate_limit|01_openai_chat_nonstream_cached_reasoning#" + tenant;
        using var client = fixture.Replay.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"flaky-1","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Fixture", marker);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(SharedFixtures.Response("01_openai_chat_nonstream_cached_reasoning"), await response.Content.ReadAsByteArrayAsync());
        var attempts = fixture.Upstream.Requests.Where(r => r.Headers.GetValueOrDefault("X-Fixture") == marker).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].Body, attempts[1].Body); // the same request, sent again
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.Equal("openai", e.GetProperty("provider").GetString());
        var attempt = Assert.Single(e.GetProperty("attempts").EnumerateArray());
        Assert.Equal("flaky", attempt.GetProperty("provider").GetString());
        Assert.Equal(429, attempt.GetProperty("http_status").GetInt32());
        Assert.Equal(2790, e.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public async Task OpenAiSdk_AzureV1Surface_RoutedToAzureWithItsKey()
    {
        var (tenant, key, _) = await fixture.Replay.NewTenantAsync();
        var sdk = new OpenAIClient(new System.ClientModel.ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(fixture.Replay.BaseUrl + "/openai/v1") });

        var completion = (await sdk.GetChatClient("fixture/01_openai_chat_nonstream_cached_reasoning").CompleteChatAsync([new UserChatMessage("hi")])).Value;

        Assert.Equal(2150, completion.Usage.InputTokenCount);
        var received = fixture.Upstream.Requests.Last(r => r.PathAndQuery == "/openai/v1/chat/completions");
        Assert.Equal("azure-provider-secret", received.Headers["api-key"]);
        Assert.False(received.Headers.ContainsKey("Authorization"));
        var e = Assert.Single(await fixture.Replay.EventsAsync(tenant, 1));
        Assert.Equal("azure", e.GetProperty("provider").GetString());
        Assert.Equal(1920, e.GetProperty("cached_input_tokens").GetInt64());
        Assert.Equal(448, e.GetProperty("reasoning_tokens").GetInt64());
    }
}
