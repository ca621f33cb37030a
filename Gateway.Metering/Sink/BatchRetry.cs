using Gateway.Metering.Events;
using Microsoft.Extensions.Logging;

namespace Gateway.Metering.Sink;

/// <summary>
/// Writes a batch until Postgres takes it, backing off between attempts. Transient or not, events must not be lost,
/// so a failure is retried rather than dropped; a permanent fault (schema drift) shows in the log at every attempt.
/// </summary>
internal static class BatchRetry
{
    public static async Task WriteAsync(PostgresEventWriter writer, IReadOnlyList<MeteringEvent> batch, SinkOptions options, TimeProvider time, ILogger logger, CancellationToken abort, Telemetry.MeteringMetrics? metrics = null)
    {
        var delay = options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var inserted = await writer.WriteAsync(batch, abort);
                logger.BatchWritten(inserted, batch.Count);
                metrics?.Written(batch, time.GetUtcNow());
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.BatchFailed(ex, batch.Count, attempt, delay);
                metrics?.PostgresError();
                await Task.Delay(delay, time, abort);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxRetryDelay.Ticks));
            }
        }
    }
}
