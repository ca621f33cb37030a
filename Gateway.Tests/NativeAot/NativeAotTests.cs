using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace Gateway.Tests.NativeAot;

/// <summary>
/// The Native AOT binary does what the JIT build does: the official SDK's calls are answered and metered once from
/// the provider's usage, bad input gets the OpenAI error shape, every admin read and a few writes answer (their JSON
/// and endpoint code are generated at build time), and a bad setting stops the start naming the key.
/// </summary>
public sealed class NativeAotTests(NativeAotGateway aot) : IClassFixture<NativeAotGateway>
{
    [Fact]
    public async Task OpenAiSdk_ChatAndStream_AnsweredAndEachMeteredOnceFromTheProvidersUsage()
    {
        var (tenant, key) = await NewTenantAsync();
        var chat = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(aot.Process.BaseUrl + "/v1") }).GetChatClient("sim-1");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Hello, native gateway.")], new ChatCompletionOptions { MaxOutputTokenCount = 9 })).Value;
        ChatTokenUsage? streamed = null;
        var words = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream me six words.")], new ChatCompletionOptions { MaxOutputTokenCount = 6 }))
        {
            words += update.ContentUpdate.Sum(p => p.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            streamed = update.Usage ?? streamed;
        }

        Assert.Equal(9, completion.Usage.OutputTokenCount);
        Assert.Equal(6, words);
        Assert.NotNull(streamed);
        var events = await EventsAsync(tenant, 2);
        var plain = Assert.Single(events, e => !e.GetProperty("streamed").GetBoolean());
        var stream = Assert.Single(events, e => e.GetProperty("streamed").GetBoolean());
        Assert.Equal(completion.Usage.InputTokenCount, plain.GetProperty("input_tokens").GetInt64());
        Assert.Equal(9, plain.GetProperty("output_tokens").GetInt64());
        Assert.Equal(streamed.InputTokenCount, stream.GetProperty("input_tokens").GetInt64());
        Assert.Equal(6, stream.GetProperty("output_tokens").GetInt64());
        Assert.All(events, e => Assert.Equal("provider", e.GetProperty("usage_source").GetString()));
        Assert.All(events, e => Assert.Equal("completed", e.GetProperty("status").GetString()));
        var cost = events.Sum(e => e.GetProperty("cost_micros").GetInt64());
        Assert.True(cost > 0);
        var wallet = await aot.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/wallet");
        Assert.Equal(1m - (cost / 1_000_000m), wallet.GetProperty("balance").GetDecimal());
    }

    [Theory]
    [InlineData("{\"model\":\"sim-1\",\"messages\":", "good", 400, "invalid_json")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "good", 400, "invalid_request")]
    [InlineData("{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "wrong", 401, "invalid_api_key")]
    public async Task BadInput_AnsweredInTheOpenAiErrorShape(string body, string keyKind, int status, string code)
    {
        var (_, key) = await NewTenantAsync();
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", keyKind == "good" ? key : "sk-gw-wrong");

        var response = await client.PostAsync(aot.Process.BaseUrl + "/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task AdminApi_WritesAndEveryRead_Answer()
    {
        var (tenant, _) = await NewTenantAsync();
        var period = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var meter = "aot-" + tenant;
        (string Path, object Body)[] writes =
        [
            ($"/admin/tenants/{tenant}/limits", new { requests_per_minute = 1000 }),
            ($"/admin/tenants/{tenant}/prices/sim-1", new { input_per_million = 0.5m, output_per_million = 1.5m }),
            ($"/admin/meters/{meter}", new { unit_price = 0.5m, aggregation = "sum" }),
            ($"/admin/plans/{meter}", new { monthly_fee = 10m, included_credits = 5m }),
            ($"/admin/tenants/{tenant}/markup", new { markup_percent = 10m }),
            ($"/admin/tenants/{tenant}/alerts", new { webhook_url = "https://example.com/hook", secret = "aot-webhook-secret-0123456789", low_balance = 0.5m }),
        ];
        foreach (var (path, body) in writes)
        {
            var written = await aot.Admin.PutAsJsonAsync(path, body);
            Assert.True(written.IsSuccessStatusCode, $"PUT {path}: {(int)written.StatusCode} {await written.Content.ReadAsStringAsync()}");
        }

        string[] reads =
        [
            $"/admin/tenants/{tenant}", $"/admin/tenants/{tenant}/wallet", $"/admin/tenants/{tenant}/limits",
            $"/admin/tenants/{tenant}/reconciliation", $"/admin/tenants/{tenant}/pricing", $"/admin/tenants/{tenant}/prices/sim-1",
            $"/admin/tenants/{tenant}/invoices/{period}", $"/admin/tenants/{tenant}/alerts", $"/admin/tenants/{tenant}/webhooks",
            $"/admin/events?tenant={tenant}", $"/admin/usage?tenant={tenant}&group_by=model", "/admin/prices", "/admin/prices/sim-1",
            $"/admin/plans/{meter}", "/admin/meters", "/admin/reconciliation", "/openapi/admin.json",
        ];
        foreach (var path in reads)
        {
            var read = await aot.Admin.GetAsync(path);
            var text = await read.Content.ReadAsStringAsync();
            Assert.True(read.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)read.StatusCode} {text}");
            JsonDocument.Parse(text).Dispose();
        }

        var meters = await aot.Admin.GetFromJsonAsync<JsonElement>("/admin/meters");
        Assert.Contains(meters.EnumerateArray(), m => m.GetProperty("id").GetString() == meter);
        var export = await aot.Admin.GetAsync($"/admin/export?tenant={tenant}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var metrics = await aot.Admin.GetStringAsync("/metrics");
        Assert.Contains("# TYPE", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sink:RedisPageSize", "0", "RedisPageSize")]
    [InlineData("Billing:CreditExpiryInterval", "00:00:00.001", "Billing:CreditExpiryInterval")]
    [InlineData("Admin:Token", "short", "Admin:Token")]
    public async Task Start_InvalidSetting_RefusedNamingTheKey(string key, string value, string named)
    {
        var (exitCode, output) = await GatewayProcess.RunToExitAsync("http://127.0.0.1:1", new Dictionary<string, string> { [key] = value }, TimeSpan.FromSeconds(60), aot.Binary);

        Assert.Equal(2, exitCode);
        Assert.Contains("Invalid configuration", output, StringComparison.Ordinal);
        Assert.Contains(named, output, StringComparison.Ordinal);
    }

    [Fact]
    public Task Memory_ReturnedOnceStartedAndOnceIdleAfterTraffic() => Memory.MemoryTrimProcess.RunAsync(aot.Binary);

    private async Task<(string Tenant, string Key)> NewTenantAsync()
    {
        var tenant = TestServices.NewTenantId();
        Assert.Equal(HttpStatusCode.Created, (await aot.Admin.PostAsJsonAsync("/admin/tenants", new { id = tenant, name = "AOT " + tenant })).StatusCode);
        var key = await aot.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "aot" });
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await aot.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 1m, idempotency_key = "aot-seed" })).StatusCode);
        return (tenant, (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!);
    }

    private async Task<List<JsonElement>> EventsAsync(string tenant, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var page = await aot.Admin.GetFromJsonAsync<JsonElement>($"/admin/events?tenant={tenant}&limit=100");
            var events = page.GetProperty("data").EnumerateArray().ToList();
            if (events.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, events.Count);
                return events;
            }

            await Task.Delay(50);
        }
    }
}
