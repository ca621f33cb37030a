using System.Net;
using Gateway.Metering.Events;
using Gateway.Metering.Usage;
using Gateway.Telemetry;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Telemetry;

/// <summary>
/// OpenTelemetry keeps 2,000 series an instrument unless told otherwise, and sends the rest to one
/// <c>otel_metric_overflow</c> series. The gateway's labels are bounded by <c>Telemetry:MaxLabelValues</c> (and the
/// tenant label), so each of its instruments is given room for every series those bounds allow.
/// </summary>
public sealed class SeriesLimitTests
{
    [Fact]
    public async Task Metrics_MoreModelsThanOpenTelemetrysDefault_EveryModelKeepsItsOwnSeries()
    {
        const int models = 1_200; // input and output: 2,400 token series, over OpenTelemetry's 2,000
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Telemetry:MaxLabelValues"] = "1500" });
        var telemetry = gateway.Services.GetRequiredService<GatewayTelemetry>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < models; i++)
        {
            telemetry.Settled(Event($"model-{i}", now), ApiKind.ChatCompletions, activity: null);
        }

        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metrics = new PrometheusText(await response.Content.ReadAsStringAsync());

        Assert.DoesNotContain("otel_metric_overflow", metrics.Text, StringComparison.Ordinal);
        Assert.Equal(models, ModelsOf(metrics, "gateway_tokens_total", "model", ("class", "input")));
        Assert.Equal(models, ModelsOf(metrics, "gateway_tokens_total", "model", ("class", "output")));
        Assert.Equal(models, ModelsOf(metrics, "gen_ai_client_token_usage_count", "gen_ai_request_model", ("gen_ai_token_type", "output")));
        Assert.Equal(models, ModelsOf(metrics, "gen_ai_client_operation_duration_seconds_count", "gen_ai_request_model"));
        Assert.Equal(models, ModelsOf(metrics, "gateway_cost_usd_total", "model"));
        // Only this test's models: the listener hears every gateway host in the test process by meter name.
        Assert.Equal(3 * models, metrics.Samples()
            .Where(s => s.Name == "gateway_tokens_total" && s.Labels["class"] == "output" && s.Labels["model"].StartsWith("model-", StringComparison.Ordinal))
            .Sum(s => s.Value));
        // The view that sets the limit keeps the instruments' own bucket boundaries.
        Assert.True(metrics.Has("gen_ai_client_operation_duration_seconds_bucket", ("gen_ai_request_model", "model-7"), ("le", "0.01")));
        Assert.True(metrics.Has("gen_ai_client_token_usage_bucket", ("gen_ai_request_model", "model-7"), ("le", "16")));
    }

    [Fact]
    public void Limits_FollowTheLabelBounds_CappedByMaxSeriesPerMetric()
    {
        var plain = new SeriesLimits(new TelemetryOptions { MaxLabelValues = 500 }, providers: 3);
        Assert.True(plain.Of("gateway.tokens") >= 7 * 502);
        Assert.True(plain.Of("gen_ai.client.token.usage") >= 4 * 502 * 2);
        Assert.True(plain.Of("gen_ai.client.operation.duration") >= 4 * 502 * 2);
        Assert.True(plain.Of("gen_ai.server.time_to_first_token") >= 4 * 502);
        Assert.True(plain.Of("gateway.cost.usd") >= 502);
        Assert.True(plain.Of("gateway.requests") >= 7 * 3 * 4);
        Assert.Null(plain.Of("gateway.events.written")); // not labelled by model or tenant: OpenTelemetry's default

        var tenants = new SeriesLimits(new TelemetryOptions { MaxLabelValues = 500, TenantLabel = true, MaxSeriesPerMetric = 30_000 }, providers: 3);
        Assert.Equal(30_000, tenants.Of("gateway.tokens")); // 7 × 502 × 502 would be 1.8 million
        Assert.Equal(30_000, tenants.Of("gateway.cost.usd"));
        Assert.Equal(plain.Of("gen_ai.client.token.usage"), tenants.Of("gen_ai.client.token.usage")); // no tenant label

        var few = new SeriesLimits(new TelemetryOptions { MaxLabelValues = 10 }, providers: 1);
        Assert.True(few.Of("gateway.tokens") >= 7 * 12);
        Assert.True(few.Of("gateway.tokens") < 2_000); // small bounds hold less than OpenTelemetry's default
    }

    private static int ModelsOf(PrometheusText metrics, string name, string label, params (string Key, string Value)[] filter)
        => metrics.Samples()
            .Where(s => s.Name == name && filter.All(f => s.Labels.TryGetValue(f.Key, out var v) && v == f.Value))
            .Select(s => s.Labels[label])
            .Where(m => m.StartsWith("model-", StringComparison.Ordinal))
            .Distinct()
            .Count();

    private static MeteringEvent Event(string model, DateTimeOffset at) => new()
    {
        EventId = Guid.CreateVersion7(at),
        OccurredAt = at,
        TenantId = "series",
        KeyId = "k",
        Provider = "simulated",
        Endpoint = "/v1/chat/completions",
        Model = model,
        Status = EventStatus.Completed,
        HttpStatus = 200,
        Billable = true,
        InputTokens = 5,
        OutputTokens = 3,
        TotalTokens = 8,
        UsageSource = "provider",
        LatencyMs = 12,
        TtftMs = 4,
        CostMicros = 7,
    };
}
