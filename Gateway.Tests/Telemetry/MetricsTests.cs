using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Telemetry;

/// <summary><c>GET /metrics</c> as Prometheus scrapes it, after real requests through the gateway.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_TenantLabelAllowed_CountRequestsTokensCostRefusalsAndFlusher()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Telemetry:TenantLabel"] = "true",
            ["Telemetry:BacklogInterval"] = "00:00:00.100",
        });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        var (poor, poorKey, _) = await gateway.NewTenantAsync(credit: 0.000001m);
        using var client = gateway.Client(key);
        long input = 0, output = 0;
        foreach (var (model, max) in new[] { ("sim-1", 5), ("sim-1", 3), ("sim-reasoner", 8) })
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model, max_tokens = max, messages = new[] { new { role = "user", content = "Count me in." } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var usage = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");
            input += usage.GetProperty("prompt_tokens").GetInt64();
            output += usage.GetProperty("completion_tokens").GetInt64();
        }

        using var poorClient = gateway.Client(poorKey);
        var refused = await poorClient.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-1", max_tokens = 100, messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        var events = await gateway.EventsAsync(tenant, 3);
        var cost = events.Sum(e => e.GetProperty("cost_micros").GetInt64()) / 1_000_000.0;

        var metrics = await ScrapeUntilAsync(gateway, m => m.Sum("gateway_events_written_total") >= 3 && m.Has("gateway_events_backlog", ("queue", "redis_stream")));

        var mine = ("tenant", tenant);
        Assert.Equal(3, metrics.Sum("gateway_requests_total", mine, ("api", "chat_completions"), ("provider", "simulated"), ("status", "completed")));
        Assert.Equal(input, metrics.Sum("gateway_tokens_total", mine, ("class", "input")));
        Assert.Equal(output, metrics.Sum("gateway_tokens_total", mine, ("class", "output")));
        Assert.Equal(4, metrics.Sum("gateway_tokens_total", mine, ("class", "reasoning"), ("model", "sim-reasoner")));
        Assert.Equal(8, metrics.Sum("gateway_tokens_total", mine, ("class", "output"), ("model", "sim-1")));
        Assert.Equal(cost, metrics.Sum("gateway_cost_usd_total", mine), 9);
        Assert.Equal(1, metrics.Sum("gateway_refusals_total", ("tenant", poor), ("reason", "insufficient_balance")));
        Assert.Equal(0, metrics.Sum("gateway_requests_total", ("tenant", poor)));
        Assert.True(metrics.Sum("gen_ai_client_operation_duration_seconds_count", ("gen_ai_request_model", "sim-1")) >= 2);
        Assert.True(metrics.Sum("gen_ai_server_time_to_first_token_seconds_count", ("gen_ai_request_model", "sim-reasoner")) >= 1);
        Assert.True(metrics.Sum("gen_ai_client_token_usage_count", ("gen_ai_token_type", "input")) >= 3);
        Assert.True(metrics.Sum("gateway_flusher_lag_seconds_count") >= 3);
        Assert.True(metrics.Has("http_server_request_duration_seconds_count", ("http_route", "/v1/chat/completions")));
        // The runtime's meter: what bench/alloc.sh reads (allocation and GC pauses per request).
        Assert.True(metrics.Sum("dotnet_gc_heap_total_allocated_bytes_total") > 0);
        Assert.True(metrics.Has("dotnet_gc_pause_time_seconds_total"));
        Assert.True(metrics.Sum("dotnet_process_memory_working_set_bytes") > 0);
        Assert.DoesNotContain(key, metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ByDefault_NoTenantOrKeyLabelsAndRefusalsByReason()
    {
        await using var gateway = await GatewayHost.StartAsync();
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, keyId) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        var ok = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-mini", max_tokens = 2, messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var stranger = gateway.Client("sk-gw-not-a-key");
        var unknown = await stranger.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-mini", messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        await gateway.EventsAsync(tenant, 1);

        var metrics = await ScrapeUntilAsync(gateway, m => m.Sum("gateway_requests_total", ("status", "completed")) >= 1);

        Assert.True(metrics.Sum("gateway_refusals_total", ("reason", "invalid_api_key")) >= 1);
        Assert.True(metrics.Sum("gateway_tokens_total", ("class", "output"), ("model", "sim-mini")) >= 2);
        var labels = metrics.Samples().SelectMany(s => s.Labels.Keys).ToHashSet();
        Assert.DoesNotContain("tenant", labels);
        Assert.DoesNotContain("key", labels);
        Assert.DoesNotContain("key_id", labels);
        Assert.DoesNotContain(tenant, metrics.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(keyId, metrics.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_PostgresDown_StoreErrorsAndTheBacklogRiseThenDrain()
    {
        // A gateway process of its own: every gateway host in this test process names its meter "Gateway", and the
        // exporter of one host also observes the others' backlog gauges (the last one read wins), so in-process this
        // gauge would mix hosts. In production there is one gateway per process.
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(TestServices.Postgres);
        await using var gate = new TcpGate("127.0.0.1", builder.Port);
        builder.Port = gate.Port;
        builder.Timeout = 2;
        using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.RedisDatabase(14), // no other gateway drains this backlog
            ["ConnectionStrings:Postgres"] = builder.ConnectionString,
            ["Telemetry:BacklogInterval"] = "00:00:00.100",
            ["Sink:RetryDelay"] = "00:00:00.050",
            ["Sink:MaxRetryDelay"] = "00:00:00.300",
            ["Admission:AllowUnpricedModels"] = "true",
        });
        using var admin = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TestServices.AdminToken);
        var tenant = TestServices.NewTenantId("metrics");
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/admin/tenants", new { id = tenant })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 10m, idempotency_key = "seed" })).StatusCode);
        var key = (await (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "metrics" })).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("key").GetString();
        using var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);

        gate.Close();
        for (var i = 0; i < 3; i++)
        {
            var served = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-1", max_tokens = 2, messages = new[] { new { role = "user", content = "wait" } } });
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync($"/admin/tenants/{tenant}/limits")).StatusCode);
        var down = await ScrapeUntilAsync(gateway.BaseUrl, m => m.Sum("gateway_events_backlog", ("queue", "redis_stream")) >= 3 && m.Sum("gateway_store_errors_total", ("store", "postgres")) >= 2);
        gate.Open();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/events?tenant={tenant}")).GetProperty("data").GetArrayLength() < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var up = await ScrapeUntilAsync(gateway.BaseUrl, m => m.Sum("gateway_events_backlog", ("queue", "redis_stream")) == 0);

        Assert.True(down.Sum("gateway_events_backlog", ("queue", "redis_stream")) >= 3);
        Assert.True(down.Sum("gateway_store_errors_total", ("store", "postgres")) >= 2); // the admin call and the flusher's retries
        Assert.Equal(3, (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/admin/events?tenant={tenant}")).GetProperty("data").GetArrayLength());
        Assert.Equal(0, up.Sum("gateway_events_backlog", ("queue", "redis_stream")));
        Assert.True(up.Has("gateway_events_backlog", ("queue", "in_process")));
    }

    private static Task<PrometheusText> ScrapeUntilAsync(GatewayHost gateway, Func<PrometheusText, bool> ready) => ScrapeUntilAsync(gateway.BaseUrl, ready);

    private static async Task<PrometheusText> ScrapeUntilAsync(string baseUrl, Func<PrometheusText, bool> ready)
    {
        using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var response = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            var metrics = new PrometheusText(await response.Content.ReadAsStringAsync());
            if (ready(metrics) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(100);
        }
    }
}
