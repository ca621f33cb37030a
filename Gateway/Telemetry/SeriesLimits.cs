using System.Diagnostics.Metrics;
using Gateway.Errors;
using Gateway.Metering.Telemetry;
using Gateway.Metering.Usage;

namespace Gateway.Telemetry;

/// <summary>
/// How many series each of the gateway's labelled metrics may keep. OpenTelemetry keeps 2,000 an instrument unless
/// told otherwise and counts the rest under one <c>otel_metric_overflow</c> series, which would lose the per-model
/// breakdown long before <see cref="TelemetryOptions.MaxLabelValues"/> does (7 token classes × 500 models is 3,500).
/// So each instrument gets the product of its labels' bounds, capped by <see cref="TelemetryOptions.MaxSeriesPerMetric"/>;
/// instruments not listed here keep OpenTelemetry's default.
/// </summary>
internal sealed class SeriesLimits
{
    /// <summary>No limit is set lower: it would save a few kilobytes and risk a bound counted short.</summary>
    private const int Least = 100;

    private readonly long _models;
    private readonly long _tenants;
    private readonly long _providers;
    private readonly int _most;

    public SeriesLimits(TelemetryOptions options, int providers)
    {
        // LabelCap's values, plus "other" (past the cap) and "none" (no value).
        _models = options.MaxLabelValues + 2L;
        _tenants = options.TenantLabel ? options.MaxLabelValues + 2L : 1;
        _providers = providers + 2L; // configured ones, plus room for an event with none or an unknown one
        _most = options.MaxSeriesPerMetric;
    }

    /// <summary>The limit for one of the gateway's instruments; null for any other (OpenTelemetry's default).</summary>
    public int? Of(Instrument instrument) => instrument.Meter.Name == MeteringMetrics.MeterName ? Of(instrument.Name) : null;

    public int? Of(string instrument)
    {
        const long tokenClasses = 7, operations = 4, statuses = 4, tokenTypes = 2, withAndWithoutError = 2;
        long apis = Enum.GetValues<ApiKind>().Length;
        long reasons = Enum.GetValues<GatewayErrorKind>().Length;
        long? series = instrument switch
        {
            "gateway.requests" => apis * _providers * statuses * _tenants,
            "gateway.refusals" => reasons * _tenants,
            "gateway.tokens" => tokenClasses * _models * _tenants,
            "gateway.cost.usd" => _models * _tenants,
            "gen_ai.client.token.usage" => operations * _models * tokenTypes,
            "gen_ai.client.operation.duration" => operations * _models * withAndWithoutError,
            "gen_ai.server.time_to_first_token" => operations * _models,
            _ => null,
        };
        return series is { } n ? (int)Math.Clamp(n, Least, _most) : null;
    }
}
