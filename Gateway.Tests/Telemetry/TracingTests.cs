using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Telemetry;

/// <summary>The span of a proxied request (GenAI semantic conventions, tenant, feature) and its OTLP export.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Span_StreamedChat_CarriesGenAiUsageTenantAndFeature()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Gateway",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var gateway = await GatewayHost.StartAsync();
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "sim-reasoner", stream = true, max_tokens = 6, messages = new[] { new { role = "user", content = "A secret prompt." } } }),
        };
        request.Headers.Add("X-Meter-Feature", "search");

        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = (await gateway.EventsAsync(tenant, 1))[0];
        var span = spans.Single(s => (string?)s.GetTagItem("gateway.tenant.id") == tenant);
        Assert.Equal("chat sim-reasoner", span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("simulated", span.GetTagItem("gen_ai.system"));
        Assert.Equal("sim-reasoner", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal(e.GetProperty("served_model").GetString(), span.GetTagItem("gen_ai.response.model"));
        Assert.Equal(e.GetProperty("input_tokens").GetInt64(), span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(6L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal(3L, span.GetTagItem("gateway.usage.reasoning_tokens"));
        Assert.Equal("search", span.GetTagItem("gateway.feature"));
        Assert.Equal(e.GetProperty("event_id").GetString(), span.GetTagItem("gateway.event_id"));
        Assert.Equal(e.GetProperty("cost_micros").GetInt64() / 1_000_000.0, (double)span.GetTagItem("gateway.cost_usd")!, 9);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var text = string.Join(' ', span.TagObjects.Select(t => t.Value?.ToString()));
        Assert.DoesNotContain("secret prompt", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.Contains("[DONE]", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Otlp_EndpointConfigured_ExportsTheSpanAndMetrics()
    {
        await using var collector = await FakeCollector.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = collector.Root,
            ["Telemetry:OtlpProtocol"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "sim-1", max_tokens = 4, messages = new[] { new { role = "user", content = "Export me." } } }),
        };
        request.Headers.Add("X-Meter-Feature", "exported");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = (await gateway.EventsAsync(tenant, 1))[0];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        byte[]? traces = null;
        while (DateTime.UtcNow < deadline && (traces is null || !collector.Received.Any(r => r.Path == "/v1/metrics")))
        {
            traces ??= collector.Received.Where(r => r.Path == "/v1/traces" && OtlpBytes.Values(r.Body, "gateway.tenant.id").Contains(tenant)).Select(r => r.Body).FirstOrDefault();
            await Task.Delay(100);
        }

        Assert.NotNull(traces);
        Assert.Contains(tenant, OtlpBytes.Values(traces, "gateway.tenant.id"));
        Assert.Contains("exported", OtlpBytes.Values(traces, "gateway.feature"));
        Assert.Contains(e.GetProperty("input_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), OtlpBytes.Values(traces, "gen_ai.usage.input_tokens"));
        Assert.Contains("4", OtlpBytes.Values(traces, "gen_ai.usage.output_tokens"));
        Assert.Contains("sim-1", OtlpBytes.Values(traces, "gen_ai.request.model"));
        Assert.Contains("llm-gateway", OtlpBytes.Values(traces, "service.name"));
        var metrics = collector.Received.Where(r => r.Path == "/v1/metrics").Select(r => r.Body).ToList();
        Assert.Contains(metrics, m => m.AsSpan().IndexOf("gateway.requests"u8) >= 0);
        Assert.DoesNotContain(collector.Received, r => r.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(key)) >= 0);
    }

    [Fact]
    public async Task Otlp_NoEndpoint_NoTracerAndNoExport()
    {
        await using var gateway = await GatewayHost.StartAsync();

        Assert.Null(gateway.Services.GetService<TracerProvider>());
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.BaseUrl + "/metrics")).StatusCode);
    }
}
