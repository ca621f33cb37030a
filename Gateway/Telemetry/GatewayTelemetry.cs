using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Capture;
using Gateway.Errors;
using Gateway.Metering.Events;
using Gateway.Metering.Telemetry;
using Gateway.Metering.Usage;
using Microsoft.Extensions.Options;

namespace Gateway.Telemetry;

/// <summary>
/// The request's span and metrics, recorded once, where the event is made: the span carries the GenAI semantic
/// conventions (https://opentelemetry.io/docs/specs/semconv/gen-ai/) plus tenant and feature; the metrics carry
/// bounded labels only (no key, no tenant unless <see cref="TelemetryOptions.TenantLabel"/>). Instruments are made
/// once; with no listener, spans are not created and measurements cost a flag check. Never a prompt, a completion
/// or a key.
/// </summary>
internal sealed class GatewayTelemetry
{
    public const string SourceName = "Gateway";

    private static readonly ActivitySource Source = new(SourceName);

    private readonly Counter<long> _requests;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _tokens;
    private readonly Counter<double> _cost;
    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly bool _tenantLabel;
    private readonly LabelCap _models;
    private readonly LabelCap _tenants;

    public GatewayTelemetry(IMeterFactory meters, MeteringMetrics metering, IOptions<TelemetryOptions> options)
    {
        Metering = metering;
        var meter = meters.Create(MeteringMetrics.MeterName);
        _requests = meter.CreateCounter<long>("gateway.requests", "{request}", "Metered requests, by API, provider and event status.");
        _refusals = meter.CreateCounter<long>("gateway.refusals", "{request}", "Requests refused before reaching a provider, by reason (the error code).");
        _tokens = meter.CreateCounter<long>("gateway.tokens", "{token}", "Tokens metered, by class and requested model.");
        _cost = meter.CreateCounter<double>("gateway.cost.usd", "{USD}", "Cost charged, in USD, by requested model.");
        _tokenUsage = meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Input and output tokens per request.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] });
        _duration = meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Request duration, from arrival to the answer's end.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        _timeToFirstToken = meter.CreateHistogram<double>("gen_ai.server.time_to_first_token", "s", "Time to the first byte of the answer sent to the client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
        _tenantLabel = options.Value.TenantLabel;
        _models = new LabelCap(options.Value.MaxLabelValues);
        _tenants = new LabelCap(options.Value.MaxLabelValues);
    }

    public MeteringMetrics Metering { get; }

    /// <summary>The client span of a forwarded request; null when nobody listens (no OTLP endpoint).</summary>
    public Activity? StartRequest(RequestContext request, string providerKind)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var operation = Operation(request.Api);
        var activity = Source.StartActivity(operation + " " + request.Facts.Model, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            var system = GenAiSystem(providerKind);
            activity.SetTag("gen_ai.operation.name", operation);
            activity.SetTag("gen_ai.system", system);
            activity.SetTag("gen_ai.provider.name", system);
            activity.SetTag("gen_ai.request.model", request.Facts.Model);
            if (request.Facts.MaxOutputTokens is { } max)
            {
                activity.SetTag("gen_ai.request.max_tokens", max);
            }

            activity.SetTag("gateway.tenant.id", request.Identity.TenantId);
            activity.SetTag("gateway.feature", request.Feature);
            activity.SetTag("gateway.environment", request.Environment);
            activity.SetTag("gateway.event_id", request.EventId.ToString());
            activity.SetTag("gateway.streamed", request.Facts.Stream);
        }

        return activity;
    }

    /// <summary>The request's event is made: complete its span (the caller ends it) and count it.</summary>
    public void Settled(MeteringEvent e, ApiKind api, Activity? activity)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("gen_ai.response.model", e.ServedModel);
            activity.SetTag("gen_ai.usage.input_tokens", e.InputTokens);
            activity.SetTag("gen_ai.usage.output_tokens", e.OutputTokens);
            activity.SetTag("gen_ai.usage.cache_read.input_tokens", e.CachedInputTokens);
            activity.SetTag("gen_ai.usage.cache_creation.input_tokens", e.CacheWriteTokens);
            activity.SetTag("gateway.usage.reasoning_tokens", e.ReasoningTokens);
            activity.SetTag("gateway.usage_source", e.UsageSource);
            activity.SetTag("gateway.provider", e.Provider);
            activity.SetTag("gateway.status", e.Status);
            activity.SetTag("gateway.cost_usd", e.CostMicros / 1_000_000.0);
            activity.SetTag("http.response.status_code", e.HttpStatus);
            if (e.Status == EventStatus.UpstreamError)
            {
                activity.SetTag("error.type", e.HttpStatus > 0 ? e.HttpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) : "upstream_unreachable");
                activity.SetStatus(ActivityStatusCode.Error);
            }

        }

        var model = _models.Of(e.Model);
        var tenant = _tenantLabel ? _tenants.Of(e.TenantId) : null;
        if (_requests.Enabled)
        {
            var tags = new TagList { { "api", ApiLabel(api) }, { "provider", e.Provider }, { "status", e.Status } };
            AddTenant(ref tags, tenant);
            _requests.Add(1, tags);
        }

        if (e.Billable && _tokens.Enabled)
        {
            AddTokens("input", e.InputTokens, model, tenant);
            AddTokens("output", e.OutputTokens, model, tenant);
            AddTokens("cached_input", e.CachedInputTokens, model, tenant);
            AddTokens("cache_write", e.CacheWriteTokens, model, tenant);
            AddTokens("reasoning", e.ReasoningTokens, model, tenant);
            AddTokens("audio_input", e.AudioInputTokens, model, tenant);
            AddTokens("audio_output", e.AudioOutputTokens, model, tenant);
        }

        if (e.CostMicros != 0 && _cost.Enabled)
        {
            var tags = new TagList { { "model", model } };
            AddTenant(ref tags, tenant);
            _cost.Add(e.CostMicros / 1_000_000.0, tags);
        }

        var operation = Operation(api);
        if (e.Billable && _tokenUsage.Enabled)
        {
            _tokenUsage.Record(e.InputTokens, new TagList { { "gen_ai.operation.name", operation }, { "gen_ai.request.model", model }, { "gen_ai.token.type", "input" } });
            _tokenUsage.Record(e.OutputTokens, new TagList { { "gen_ai.operation.name", operation }, { "gen_ai.request.model", model }, { "gen_ai.token.type", "output" } });
        }

        if (_duration.Enabled)
        {
            var tags = new TagList { { "gen_ai.operation.name", operation }, { "gen_ai.request.model", model } };
            if (e.Status == EventStatus.UpstreamError)
            {
                tags.Add("error.type", "upstream_error");
            }

            _duration.Record(e.LatencyMs / 1000.0, tags);
        }

        if (e.TtftMs is { } ttft && _timeToFirstToken.Enabled)
        {
            _timeToFirstToken.Record(ttft / 1000.0, new TagList { { "gen_ai.operation.name", operation }, { "gen_ai.request.model", model } });
        }
    }

    /// <summary>A request refused before it reached a provider (key, wallet, quota, price, store).</summary>
    public void Refused(GatewayError error, string? tenantId)
    {
        if (!_refusals.Enabled)
        {
            return;
        }

        var tags = new TagList { { "reason", OpenAiErrorWriter.Map(error.Kind).Code } };
        AddTenant(ref tags, _tenantLabel && tenantId is not null ? _tenants.Of(tenantId) : null);
        _refusals.Add(1, tags);
    }

    private void AddTokens(string tokenClass, long count, string model, string? tenant)
    {
        if (count <= 0)
        {
            return;
        }

        var tags = new TagList { { "class", tokenClass }, { "model", model } };
        AddTenant(ref tags, tenant);
        _tokens.Add(count, tags);
    }

    private static void AddTenant(ref TagList tags, string? tenant)
    {
        if (tenant is not null)
        {
            tags.Add("tenant", tenant);
        }
    }

    /// <summary>gen_ai.operation.name: chat, text_completion, embeddings or generate_content.</summary>
    private static string Operation(ApiKind api) => api switch
    {
        ApiKind.Completions => "text_completion",
        ApiKind.Embeddings => "embeddings",
        ApiKind.GeminiGenerateContent => "generate_content",
        _ => "chat",
    };

    private static string ApiLabel(ApiKind api) => api switch
    {
        ApiKind.ChatCompletions => "chat_completions",
        ApiKind.Completions => "completions",
        ApiKind.Embeddings => "embeddings",
        ApiKind.Responses => "responses",
        ApiKind.AnthropicMessages => "anthropic_messages",
        ApiKind.GeminiGenerateContent => "gemini_generate_content",
        _ => "models",
    };

    /// <summary>gen_ai.system by the provider's kind, in the conventions' well-known values.</summary>
    private static string GenAiSystem(string kind) => kind switch
    {
        "anthropic" => "anthropic",
        "gemini" => "gcp.gemini",
        "azure" => "azure.ai.openai",
        "simulated" => "simulated",
        _ => "openai",
    };
}
