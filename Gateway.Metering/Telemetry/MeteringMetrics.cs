using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gateway.Metering.Events;

namespace Gateway.Metering.Telemetry;

/// <summary>
/// The metering pipeline's instruments (meter <see cref="MeterName"/>): flusher lag, events written, the backlog
/// waiting for Postgres, and store errors. Off the request path; labels are bounded (a store name, a queue name).
/// </summary>
internal sealed class MeteringMetrics
{
    public const string MeterName = "Gateway";

    private readonly Histogram<double> _flusherLag;
    private readonly Counter<long> _written;
    private readonly Counter<long> _storeErrors;
    private long _streamBacklog = -1;

    public MeteringMetrics(IMeterFactory meters, Sink.ChannelEventSink? queue = null)
    {
        var meter = meters.Create(MeterName);
        _flusherLag = meter.CreateHistogram<double>("gateway.flusher.lag", "s",
            "From the end of a request to its event committed in Postgres.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _written = meter.CreateCounter<long>("gateway.events.written", "{event}", "Events committed to Postgres.");
        _storeErrors = meter.CreateCounter<long>("gateway.store.errors", "{error}", "Failed Redis or Postgres operations (store = redis | postgres).");
        meter.CreateObservableGauge("gateway.events.backlog", ObserveBacklog, "{event}",
            "Events waiting for Postgres: in the Redis streams (sampled) and in the in-process queue.");
        Queue = queue;
    }

    private Sink.ChannelEventSink? Queue { get; }

    /// <summary>A batch committed at <paramref name="now"/>: its size, and each event's lag since its request ended.</summary>
    public void Written(IReadOnlyList<MeteringEvent> batch, DateTimeOffset now)
    {
        _written.Add(batch.Count);
        if (!_flusherLag.Enabled)
        {
            return;
        }

        foreach (var e in batch)
        {
            var lag = (now - e.OccurredAt).TotalSeconds - (e.LatencyMs / 1000.0);
            _flusherLag.Record(Math.Max(0, lag));
        }
    }

    public void RedisError() => _storeErrors.Add(1, new KeyValuePair<string, object?>("store", "redis"));

    public void PostgresError() => _storeErrors.Add(1, new KeyValuePair<string, object?>("store", "postgres"));

    /// <summary>The entries of every shard's event stream, as last sampled (-1: not yet).</summary>
    public void StreamBacklog(long entries) => Volatile.Write(ref _streamBacklog, entries);

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        var stream = Volatile.Read(ref _streamBacklog);
        if (stream >= 0)
        {
            yield return new Measurement<long>(stream, new KeyValuePair<string, object?>("queue", "redis_stream"));
        }

        if (Queue is not null)
        {
            yield return new Measurement<long>(Queue.Count, new KeyValuePair<string, object?>("queue", "in_process"));
        }
    }
}
