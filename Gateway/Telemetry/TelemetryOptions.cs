using System.ComponentModel.DataAnnotations;

namespace Gateway.Telemetry;

/// <summary><c>Telemetry:*</c>: OpenTelemetry export, the Prometheus endpoint, metric labels and JSON logs.</summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>OTLP collector root (e.g. <c>http://127.0.0.1:4317</c>); empty (default): no traces are made and
    /// nothing is exported. <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is honoured when this is empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318, paths <c>/v1/traces</c>, <c>/v1/metrics</c>).</summary>
    [RegularExpression("^(grpc|http/protobuf)$")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serve Prometheus' text format at <c>GET /metrics</c> (default true).</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Add a <c>tenant</c> label to request, refusal, token and cost metrics (default false: one series per
    /// tenant multiplies every series).</summary>
    public bool TenantLabel { get; set; }

    /// <summary>Distinct values one label (model, tenant) may take; later values are counted as <c>other</c> (default 500).</summary>
    [Range(1, 100_000)]
    public int MaxLabelValues { get; set; } = 500;

    /// <summary>The most series one of the gateway's metrics may keep (default 20,000). Each gateway metric is given
    /// room for every series its labels allow (7 token classes × models, and so on); only the product with the tenant
    /// label can exceed this, and series past it are counted under <c>otel_metric_overflow="true"</c>. OpenTelemetry
    /// allocates a metric's series when it is first recorded, about 130 bytes each.</summary>
    [Range(2_000, 1_000_000)]
    public int MaxSeriesPerMetric { get; set; } = 20_000;

    /// <summary>How often the Redis event streams' length is sampled for <c>gateway_events_backlog</c> (default 5 s).</summary>
    public TimeSpan BacklogInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Write logs as one JSON object per line (event id, level, category, message, state) instead of text.</summary>
    public bool JsonLogs { get; set; }

    /// <summary>The <c>service.name</c> resource attribute (default <c>llm-gateway</c>).</summary>
    public string ServiceName { get; set; } = "llm-gateway";
}
