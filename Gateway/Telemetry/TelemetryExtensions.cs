using Gateway.Metering.Telemetry;
using Gateway.Startup;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Gateway.Telemetry;

/// <summary>
/// OpenTelemetry for the gateway: metrics always (served to Prometheus at <c>/metrics</c>, and to OTLP when an
/// endpoint is set); traces only when an OTLP endpoint is set, so without one no span is ever made.
/// </summary>
internal static class TelemetryExtensions
{
    public static void AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateAttributes<TelemetryOptions, TelemetryOptionsValidator>()
            .Validate(o => o.BacklogInterval >= TimeSpan.FromMilliseconds(100), "Telemetry:BacklogInterval must be at least 00:00:00.1.")
            .Validate(o => string.IsNullOrWhiteSpace(o.OtlpEndpoint) || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _), "Telemetry:OtlpEndpoint must be an absolute URL, e.g. http://127.0.0.1:4317.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.IncludeScopes = false;
            });
        }

        services.AddSingleton<MeteringMetrics>();
        services.AddSingleton<GatewayTelemetry>();
        services.AddHostedService(sp => new BacklogSampler(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<MeteringMetrics>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.BacklogInterval));

        var endpoint = options.OtlpEndpoint is { Length: > 0 } configured ? configured : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var otlp = Uri.TryCreate(endpoint, UriKind.Absolute, out var root) ? root : null;
        var http = options.OtlpProtocol == "http/protobuf";
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MeteringMetrics.MeterName);
                metrics.AddAspNetCoreInstrumentation(); // http.server.request.duration, by route
                metrics.AddMeter("System.Runtime"); // the runtime's own: GC (allocated bytes, pauses, heap), CPU, memory, thread pool, JIT
                var limits = new SeriesLimits(options, builder.Configuration.GetSection(Gateway.Proxy.ProvidersOptions.Section).GetChildren().Count());
                metrics.AddView(instrument => (FewSeries(instrument) ? FewSeriesLimit : limits.Of(instrument)) is { } limit
                    ? new MetricStreamConfiguration { CardinalityLimit = limit }
                    : null);
                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Configure(o, otlp, http, "v1/metrics"));
                }
            });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = c => !IsOperational(c.Request.Path))
                .AddOtlpExporter(o => Configure(o, otlp, http, "v1/traces")));
        }
    }

    /// <summary><c>GET /metrics</c> (Prometheus text format), when enabled.</summary>
    public static void MapGatewayTelemetry(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
    }

    /// <summary>
    /// OpenTelemetry allocates every instrument's series up front, 2,000 by default (~100 bytes each). The runtime's,
    /// Kestrel's and the memory pool's instruments carry a few fixed labels (a GC generation, a protocol, a pool), so a
    /// hundred is plenty and ~20 instruments stop holding 4 MB they never use. The request-duration and routing
    /// instruments (a label per route) keep the default; the gateway's own get what their labels allow (<see cref="SeriesLimits"/>).
    /// </summary>
    private const int FewSeriesLimit = 100;

    private static bool FewSeries(System.Diagnostics.Metrics.Instrument instrument)
        => instrument.Meter.Name is "System.Runtime" or "Microsoft.AspNetCore.Server.Kestrel" or "Microsoft.AspNetCore.MemoryPool";

    private static void Configure(OtlpExporterOptions exporter, Uri root, bool http, string signalPath)
    {
        exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Over HTTP a programmatic endpoint is taken as the full URL: add the signal's path to the collector's root.
        exporter.Endpoint = http ? new Uri(root.AbsoluteUri.TrimEnd('/') + "/" + signalPath) : root;
    }

    private static bool IsOperational(PathString path)
        => path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
