using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Npgsql;

namespace Gateway.Tests.Security;

/// <summary>
/// Recognisable secrets through every route and failure, then every byte the gateway emitted is searched: the
/// answers (headers and bodies), what the providers received, every log entry at Trace level, and what it wrote to
/// Redis and Postgres (the raw protocol bytes through a recording relay, and the stored rows). No secret, prompt or
/// completion may appear anywhere it should not, the Prometheus metrics included.
/// </summary>
public sealed class SecretCanaryTests
{
    private const string ProviderKey = "sk-canary-openai-PROVIDERKEY-7f3a9c2e";
    private const string AnthropicKey = "sk-ant-canary-PROVIDERKEY-b41d";
    private const string GeminiKey = "AIza-canary-PROVIDERKEY-e0c5";
    private const string AzureKey = "azure-canary-PROVIDERKEY-93aa";
    private const string DeadKey = "sk-canary-dead-PROVIDERKEY-11f0";
    private const string UnknownClientKey = "sk-gw-CANARYunknownClientKey0000000000";
    private const string Prompt = "PROMPT-CANARY-d81e: is a 30-day notice enough?";
    private const string Completion = "the notice period it sets is 60 days"; // from fixture 01's answer

    [Fact]
    public async Task Traffic_OnEveryRouteAndFailure_NoSecretInAnythingTheGatewayEmitted()
    {
        var logs = new CapturingLoggerProvider();
        await using var upstream = await FakeUpstream.StartAsync();
        var (redisHost, redisPort) = Endpoint(Environment.GetEnvironmentVariable("GATEWAY_REDIS") ?? "127.0.0.1:6380");
        await using var redisRelay = new RecordingRelay(redisHost, redisPort);
        var postgres = new NpgsqlConnectionStringBuilder(TestServices.Postgres);
        await using var postgresRelay = new RecordingRelay(postgres.Host!, postgres.Port);
        var relayed = new NpgsqlConnectionStringBuilder(TestServices.Postgres) { Port = postgresRelay.Port, SslMode = SslMode.Disable };

        await using var gateway = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = $"127.0.0.1:{redisRelay.Port},defaultDatabase=15",
                ["ConnectionStrings:Postgres"] = relayed.ConnectionString,
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Logging:LogLevel:Yarp"] = "Trace",
                ["Providers:openai:BaseUrl"] = upstream.BaseUrl,
                ["Providers:openai:ApiKey"] = ProviderKey,
                ["Providers:anthropic:Kind"] = "anthropic",
                ["Providers:anthropic:BaseUrl"] = upstream.Root,
                ["Providers:anthropic:ApiKey"] = AnthropicKey,
                ["Providers:gemini:Kind"] = "gemini",
                ["Providers:gemini:BaseUrl"] = upstream.Root,
                ["Providers:gemini:ApiKey"] = GeminiKey,
                ["Providers:azure:Kind"] = "azure",
                ["Providers:azure:BaseUrl"] = upstream.Root,
                ["Providers:azure:ApiKey"] = AzureKey,
                ["Providers:dead:Kind"] = "openai",
                ["Providers:dead:BaseUrl"] = "http://127.0.0.1:1/v1",
                ["Providers:dead:ApiKey"] = DeadKey,
                ["Providers:dead:Models:0"] = "dead-*",
                ["Providers:flaky:Kind"] = "openai",
                ["Providers:flaky:BaseUrl"] = upstream.BaseUrl,
                ["Providers:flaky:ApiKey"] = DeadKey,
                ["Providers:flaky:Models:0"] = "flaky-*",
                ["Providers:flaky:FallbackTo"] = "openai",
                ["Admission:AllowUnpricedModels"] = "true",
            },
            logs);

        var (tenant, clientKey, keyId) = await gateway.NewTenantAsync();
        var answers = new StringBuilder();
        var eventIds = new List<string>();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };

        async Task Send(string path, string body, string? fixture, params (string Name, string Value)[] headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            if (fixture is not null)
            {
                request.Headers.Add("X-Fixture", fixture);
            }

            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request);
            answers.Append((int)response.StatusCode).Append('\n').Append(response.Headers).Append(response.Content.Headers).Append('\n')
                .Append(await response.Content.ReadAsStringAsync()).Append('\n');
            if (response.Headers.TryGetValues("X-Request-Id", out var ids))
            {
                eventIds.Add(ids.First()); // the gateway's (the provider's own follows)
            }
        }

        var bearer = ("Authorization", "Bearer " + clientKey);
        var chat = Chat("gpt-4o", stream: false);
        await Send("/v1/chat/completions", chat, "01_openai_chat_nonstream_cached_reasoning", bearer);
        await Send("/v1/chat/completions", Chat("gpt-4o", stream: true), "02_openai_chat_stream_include_usage", bearer);
        await Send("/v1/chat/completions", Chat("gpt-4o", stream: true), "07_openai_chat_stream_error_midstream", bearer);
        await Send("/v1/chat/completions", chat, "18_openai_400_context_length", bearer);
        await Send("/v1/responses", "{\"model\":\"gpt-4o\",\"stream\":true,\"input\":\"" + Prompt + "\"}", "09_openai_responses_stream", bearer);
        await Send("/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"" + Prompt + "\"}", "11_openai_embeddings", bearer);
        await Send("/v1/messages", Chat("claude-sonnet-4-5", stream: false), "13_anthropic_nonstream_cache", ("x-api-key", clientKey), ("anthropic-version", "2023-06-01"));
        await Send("/v1/messages", Chat("claude-sonnet-4-5", stream: true), "14_anthropic_stream", ("x-api-key", clientKey), ("anthropic-version", "2023-06-01"));
        await Send("/v1/messages", Chat("claude-sonnet-4-5", stream: false), "17_anthropic_429_rate_limit", ("x-api-key", clientKey));
        var gemini = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + Prompt + "\"}]}]}";
        await Send($"/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key={clientKey}", gemini, "20_gemini_stream_sse");
        await Send("/v1beta/models/gemini-2.5-flash:generateContent", gemini, "19_gemini_nonstream_thinking_cached", ("x-goog-api-key", clientKey));
        await Send("/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21", chat, "01_openai_chat_nonstream_cached_reasoning", ("api-key", clientKey));
        await Send("/v1/chat/completions", Chat("flaky-1", stream: false), "17_anthropic_429_rate_limit|01_openai_chat_nonstream_cached_reasoning#" + tenant, bearer);
        await Send("/v1/chat/completions", Chat("dead-1", stream: false), null, bearer); // unreachable: 502
        await Send("/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"content\":\"" + Prompt + "\"", null, bearer); // bad JSON
        await Send("/v1/chat/completions", chat, null, ("Authorization", "Bearer " + UnknownClientKey));
        await Send("/v1beta/models/gemini-2.5-flash:generateContent?key=" + UnknownClientKey, gemini, null);
        Assert.Equal(HttpStatusCode.NoContent, (await gateway.Admin.DeleteAsync($"/admin/keys/{keyId}")).StatusCode);
        await Send("/v1/chat/completions", chat, null, bearer); // revoked

        Assert.True(eventIds.Count >= 12, "the traffic was metered");
        await WaitForEventsAsync(eventIds);
        var rows = await StoredRowsAsync(tenant);

        string[] secrets = [clientKey, UnknownClientKey, ProviderKey, AnthropicKey, GeminiKey, AzureKey, DeadKey, TestServices.AdminToken];
        var received = string.Join("\n", upstream.Requests.Select(r => r.PathAndQuery + "\n" + string.Join("\n", r.Headers.Select(h => h.Key + ": " + h.Value)) + "\n" + Encoding.UTF8.GetString(r.Body)));
        var redisBytes = Encoding.UTF8.GetString(redisRelay.Sent());
        var postgresBytes = Encoding.UTF8.GetString(postgresRelay.Sent());
        var logged = logs.All;
        using var scraper = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var metrics = await scraper.GetStringAsync("/metrics");

        // The search is over real traffic: each place holds what it should.
        Assert.Contains(Completion, answers.ToString(), StringComparison.Ordinal);
        Assert.Contains("Bearer " + ProviderKey, received, StringComparison.Ordinal);
        Assert.Contains(Prompt, received, StringComparison.Ordinal);
        Assert.Contains(tenant, redisBytes, StringComparison.Ordinal);
        Assert.Contains(tenant, postgresBytes, StringComparison.Ordinal);
        Assert.Contains(eventIds[0], rows, StringComparison.Ordinal);
        Assert.Contains("gateway_tokens_total", metrics, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Contains("Yarp.ReverseProxy", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Contains("Gateway.Proxy.ProxyHandler", StringComparison.Ordinal)); // the dead provider's failure

        Assert.Empty(Found(secrets, answers.ToString()));
        Assert.Empty(Found([clientKey, UnknownClientKey, TestServices.AdminToken], received));
        Assert.Empty(Found([.. secrets, Prompt, Completion], logged));
        Assert.Empty(Found([.. secrets, Prompt, Completion], redisBytes));
        Assert.Empty(Found([.. secrets, Prompt, Completion], postgresBytes));
        Assert.Empty(Found([.. secrets, Prompt, Completion], rows));
        Assert.Empty(Found([.. secrets, Prompt, Completion], metrics));

        async Task WaitForEventsAsync(List<string> ids)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                var stored = await StoredRowsAsync(tenant);
                if (ids.All(id => stored.Contains(id, StringComparison.Ordinal)) || DateTime.UtcNow > deadline)
                {
                    Assert.All(ids, id => Assert.Contains(id, stored, StringComparison.Ordinal));
                    return;
                }

                await Task.Delay(50);
            }
        }
    }

    private static string Chat(string model, bool stream)
        => "{\"model\":\"" + model + "\",\"stream\":" + (stream ? "true" : "false") + ",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}]}";

    private static List<string> Found(IEnumerable<string> needles, string haystack)
        => [.. needles.Where(n => haystack.Contains(n, StringComparison.Ordinal))];

    private static (string Host, int Port) Endpoint(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return (hostPort[..colon], int.Parse(hostPort[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Every stored row of the tenant (events, keys, credits) as text.</summary>
    private static async Task<string> StoredRowsAsync(string tenant)
    {
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        var text = new StringBuilder();
        foreach (var sql in (string[])[
            "SELECT row_to_json(e)::text FROM metering_events e WHERE tenant_id = @t",
            "SELECT row_to_json(k)::text FROM api_keys k WHERE tenant_id = @t",
            "SELECT row_to_json(c)::text FROM wallet_credits c WHERE tenant_id = @t"])
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("t", tenant);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.Append(reader.GetString(0)).Append('\n');
            }
        }

        return text.ToString();
    }
}
