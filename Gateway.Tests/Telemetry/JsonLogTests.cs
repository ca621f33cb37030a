using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Telemetry;

/// <summary>Telemetry:JsonLogs: a real gateway process writes one JSON object per line, with event ids, and never a
/// prompt, a completion or a key, even at Debug level and on failure paths.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task JsonLogs_OptIn_OneObjectPerLineWithEventIdsAndNoSecrets()
    {
        const string prompt = "PROMPT-7f3a secret plans";
        const string providerKey = "sk-ant-PROVIDER-KEY-9c1d";
        using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["Telemetry:JsonLogs"] = "true",
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Admission:AllowUnpricedModels"] = "true",
            ["Providers:anthropic:Kind"] = "anthropic",
            ["Providers:anthropic:BaseUrl"] = "http://127.0.0.1:1", // unreachable: a logged forwarding failure
            ["Providers:anthropic:ApiKey"] = providerKey,
        });
        using var admin = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TestServices.AdminToken);
        var tenant = TestServices.NewTenantId("log");
        await admin.PostAsJsonAsync("/admin/tenants", new { id = tenant });
        await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 5m, idempotency_key = "seed" });
        var key = (await (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "log" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var chat = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-1", max_tokens = 12, messages = new[] { new { role = "user", content = prompt } } });
        var completion = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        var anthropic = await client.PostAsJsonAsync("/v1/messages", new { model = "claude-x", max_tokens = 5, messages = new[] { new { role = "user", content = prompt } } });
        var gemini = await new HttpClient().PostAsJsonAsync($"{gateway.BaseUrl}/v1beta/models/gemini-x:generateContent?key={key}", new { contents = new[] { new { parts = new[] { new { text = prompt } } } } });
        using var stranger = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        stranger.DefaultRequestHeaders.Authorization = new("Bearer", "sk-gw-WRONG-KEY-0000");
        await stranger.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-1", messages = new[] { new { role = "user", content = prompt } } });
        await Task.Delay(500);
        gateway.Terminate();
        await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, anthropic.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, gemini.StatusCode);
        var lines = gateway.Output.Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count >= 3, "logs were written: " + lines.Count);
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList(); // every line is one JSON object
        Assert.All(entries, e =>
        {
            Assert.Equal(JsonValueKind.Number, e.GetProperty("EventId").ValueKind);
            Assert.True(e.TryGetProperty("LogLevel", out _) && e.TryGetProperty("Category", out _) && e.TryGetProperty("Message", out _));
        });
        var forward = Assert.Single(entries, e => e.GetProperty("EventId").GetInt32() == 1000); // ProxyLog.ForwardFailed
        Assert.Equal("Warning", forward.GetProperty("LogLevel").GetString());
        Assert.Equal("anthropic", forward.GetProperty("State").GetProperty("Provider").GetString());
        Assert.Contains(entries, e => e.GetProperty("EventId").GetInt32() == 120); // the graceful stop
        var all = string.Join('\n', lines);
        foreach (var secret in new[] { key, TestServices.AdminToken, providerKey, "sk-gw-WRONG-KEY-0000", "PROMPT-7f3a", completion.Trim() })
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }
}
