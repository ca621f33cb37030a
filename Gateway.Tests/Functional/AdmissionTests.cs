using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Gateway.Tests.Functional;

/// <summary>Wallets, prices and quotas as a user meets them: through the OpenAI SDK and the admin API.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AdmissionTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    private ChatClient Chat(string key, string model = "sim-1") => new OpenAIClient(
        new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(Gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }).GetChatClient(model);

    [Fact]
    public async Task Completion_Settled_CostIsRatedAndBalanceIsCreditsMinusCosts()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 5m);

        var completion = (await Chat(key).CompleteChatAsync([new UserChatMessage("Price me.")], new ChatCompletionOptions { MaxOutputTokenCount = 7 })).Value;
        var reasoning = (await Chat(key, "sim-reasoner").CompleteChatAsync([new UserChatMessage("Think.")], new ChatCompletionOptions { MaxOutputTokenCount = 10 })).Value;

        var events = await Gateway.EventsAsync(tenant, 2);
        var plain = events.Single(e => e.GetProperty("model").GetString() == "sim-1");
        var thought = events.Single(e => e.GetProperty("model").GetString() == "sim-reasoner");
        // sim-1: $1 in, $2 out per million → micro-USD = input + 2 × output.
        Assert.Equal(completion.Usage.InputTokenCount + (2 * 7), plain.GetProperty("cost_micros").GetInt64());
        // sim-reasoner: $3 in, $12 out, $15 reasoning; 10 output of which 5 reasoning.
        Assert.Equal((reasoning.Usage.InputTokenCount * 3) + (5 * 12) + (5 * 15), thought.GetProperty("cost_micros").GetInt64());
        Assert.True(plain.GetProperty("price_version").GetInt32() >= 1);
        Assert.Equal("checked", plain.GetProperty("admission").GetString());

        var wallet = await Gateway.WalletAsync(tenant);
        var spent = events.Sum(e => e.GetProperty("cost_micros").GetInt64());
        Assert.Equal(5m - (spent / 1_000_000m), wallet.GetProperty("balance").GetDecimal());
        Assert.Equal(0m, wallet.GetProperty("held").GetDecimal());
        Assert.Equal(wallet.GetProperty("balance").GetDecimal(), wallet.GetProperty("available").GetDecimal());
        Assert.Equal("USD", wallet.GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Completion_BalanceTooLow_SdkSees402AndUpstreamIsNotCalled()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.000010m);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat(key).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 100 }));

        Assert.Equal(402, error.Status);
        Assert.Equal("insufficient_balance", Code(error));
        await Gateway.EventsAsync(tenant, 0, TimeSpan.FromMilliseconds(300));
        Assert.Equal(0.00001m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Completion_RequestWindowFull_SdkSees429WithRetryAfter()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        await PutLimits(tenant, new { requests_per_minute = 2, tokens_per_minute = (long?)null, tokens_per_day = (long?)null, tokens_per_month = (long?)null });
        var chat = Chat(key);

        var first = await chat.CompleteChatAsync([new UserChatMessage("one")], new ChatCompletionOptions { MaxOutputTokenCount = 1 });
        await chat.CompleteChatAsync([new UserChatMessage("two")], new ChatCompletionOptions { MaxOutputTokenCount = 1 });
        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("three")], new ChatCompletionOptions { MaxOutputTokenCount = 1 }));

        var headers = first.GetRawResponse().Headers;
        Assert.True(headers.TryGetValue("x-ratelimit-limit-requests", out var limit) && limit == "2");
        Assert.True(headers.TryGetValue("x-ratelimit-remaining-requests", out var remaining) && remaining is "1" or "0");
        Assert.True(headers.TryGetValue("x-ratelimit-reset-requests", out var reset) && reset!.EndsWith('s'));
        Assert.True(headers.TryGetValue("X-Gateway-Balance", out var balance) && decimal.Parse(balance!, System.Globalization.CultureInfo.InvariantCulture) is > 99m and < 100m);
        Assert.Equal(429, error.Status);
        Assert.Equal("rate_limit_exceeded", Code(error));
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter) && int.Parse(retryAfter!) is >= 1 and <= 60);
        await Gateway.EventsAsync(tenant, 2);
    }

    [Fact]
    public async Task Completion_TokenBudgetSmallerThanTheRequest_429()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        await PutLimits(tenant, new { requests_per_minute = (long?)null, tokens_per_minute = 1_000_000, tokens_per_day = 50, tokens_per_month = (long?)null });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat(key).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 100 }));
        var fits = await Chat(key).CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 5 });

        Assert.Equal(429, error.Status);
        Assert.Contains("tokens per day", error.Message);
        Assert.NotNull(fits.Value);
    }

    [Fact]
    public async Task Completion_UnpricedModel_400BeforeUpstream()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => Chat(key, "sim-unpriced-" + tenant).CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, error.Status);
        Assert.Equal("model_not_priced", Code(error));
        await Gateway.EventsAsync(tenant, 0, TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Prices_PutMakesVersions_NullClassesFallBack_ListShowsNewest()
    {
        var model = "m-" + Guid.NewGuid().ToString("N")[..8];

        var first = await Gateway.Admin.PutAsJsonAsync($"/admin/prices/{model}", new { input_per_million = 3, output_per_million = 15, cached_input_per_million = 0.3, cache_write_per_million = 3.75, reasoning_per_million = (decimal?)null });
        var second = await Gateway.Admin.PutAsJsonAsync($"/admin/prices/{model}", new { input_per_million = 2.5, output_per_million = 10, cache_write_1h_per_million = 5, server_tool_request = 0.01 });
        var list = await Gateway.Admin.GetFromJsonAsync<JsonElement>("/admin/prices");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var v1 = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal(0.3m, v1.GetProperty("cached_input_per_million").GetDecimal());
        Assert.Equal(JsonValueKind.Null, v1.GetProperty("reasoning_per_million").ValueKind);
        Assert.Equal(2, (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        var current = list.GetProperty("data").EnumerateArray().Single(p => p.GetProperty("model").GetString() == model);
        Assert.Equal(2.5m, current.GetProperty("input_per_million").GetDecimal());
        Assert.Equal(JsonValueKind.Null, current.GetProperty("cached_input_per_million").ValueKind);
        Assert.Equal(5m, current.GetProperty("cache_write_1h_per_million").GetDecimal());
        Assert.Equal(0.01m, current.GetProperty("server_tool_request").GetDecimal());
    }

    [Theory]
    [InlineData("""{"input_per_million":1.0000001,"output_per_million":1}""", "input_per_million")]
    [InlineData("""{"input_per_million":-1,"output_per_million":1}""", "input_per_million")]
    [InlineData("""{"input_per_million":1}""", "output_per_million")]
    [InlineData("""{"input_per_million":"1","output_per_million":1}""", null)]
    public async Task Prices_BadBody_400(string body, string? param)
    {
        var response = await Gateway.Admin.PutAsync("/admin/prices/m-bad", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (param is not null)
        {
            Assert.Equal(param, json.RootElement.GetProperty("error").GetProperty("param").GetString());
        }
    }

    [Fact]
    public async Task Credits_SameIdempotencyKeyTwice_CreditsOnce()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 0m);

        var first = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 10, idempotency_key = "topup-42", expires_at = (string?)null, note = "first" });
        var again = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 10, idempotency_key = "topup-42", note = "again" });
        var other = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 0.5, idempotency_key = "topup-43" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var againBody = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(10m, firstBody.GetProperty("balance").GetDecimal());
        Assert.Equal(firstBody.GetProperty("credit").GetProperty("id").GetInt64(), againBody.GetProperty("credit").GetProperty("id").GetInt64());
        Assert.Equal("first", againBody.GetProperty("credit").GetProperty("note").GetString());
        Assert.Equal(10.5m, (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetDecimal());
        Assert.Equal(10.5m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
    }

    [Theory]
    [InlineData("""{"amount":0,"idempotency_key":"k"}""")]
    [InlineData("""{"amount":-5,"idempotency_key":"k"}""")]
    [InlineData("""{"amount":1.0000001,"idempotency_key":"k"}""")]
    [InlineData("""{"amount":1}""")]
    [InlineData("""{"amount":1e400,"idempotency_key":"k"}""")]
    [InlineData("{\"amount\":1,\"idempotency_key\":\"k")]
    public async Task Credits_BadBody_400(string body)
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 0m);

        var response = await Gateway.Admin.PostAsync($"/admin/tenants/{tenant}/credits", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Credits_PastTheLargestBalance_400AndTheBalanceStays()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 0m);

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++) // ten of the largest credit would overflow a 64-bit count of micros
        {
            responses.Add(await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 1_000_000_000_000m, idempotency_key = "max-" + i }));
        }

        Assert.Equal(HttpStatusCode.Created, responses[0].StatusCode);
        Assert.All(responses.Skip(1), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var error = (await responses[1].Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("would take the balance past", error.GetProperty("message").GetString());
        Assert.Equal(1_000_000_000_000m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Credits_UnknownTenant_404()
    {
        var response = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{TestServices.NewTenantId()}/credits", new { amount = 1, idempotency_key = "k" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Limits_PutThenGet_RoundTrip()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 0m);

        var put = await PutLimits(tenant, new { requests_per_minute = 600, tokens_per_minute = 200000, tokens_per_day = (long?)null, tokens_per_month = (long?)null });
        var read = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/limits");
        var bad = await Gateway.Admin.PutAsJsonAsync($"/admin/tenants/{tenant}/limits", new { requests_per_minute = -1 });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(600, read.GetProperty("requests_per_minute").GetInt64());
        Assert.Equal(200000, read.GetProperty("tokens_per_minute").GetInt64());
        Assert.Equal(JsonValueKind.Null, read.GetProperty("tokens_per_day").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private async Task<HttpResponseMessage> PutLimits(string tenant, object limits)
    {
        var response = await Gateway.Admin.PutAsJsonAsync($"/admin/tenants/{tenant}/limits", limits);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static string? Code(ClientResultException error)
    {
        using var json = JsonDocument.Parse(error.GetRawResponse()!.Content);
        return json.RootElement.GetProperty("error").GetProperty("code").GetString();
    }
}
