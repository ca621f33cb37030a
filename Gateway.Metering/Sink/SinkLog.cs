using Microsoft.Extensions.Logging;

namespace Gateway.Metering.Sink;

/// <summary>Sink log messages; event ids 3000–3099.</summary>
internal static partial class SinkLog
{
    [LoggerMessage(3000, LogLevel.Debug, "Wrote {Inserted} new of {Count} events")]
    public static partial void BatchWritten(this ILogger logger, int inserted, int count);

    [LoggerMessage(3001, LogLevel.Warning, "Writing {Count} events failed (attempt {Attempt}); retrying in {Delay}")]
    public static partial void BatchFailed(this ILogger logger, Exception exception, int count, int attempt, TimeSpan delay);

    [LoggerMessage(3002, LogLevel.Error, "Shutdown timed out with {Count} events not written")]
    public static partial void DrainTimedOut(this ILogger logger, int count);

    [LoggerMessage(3003, LogLevel.Information, "Applied migration {Version} ({Name})")]
    public static partial void MigrationApplied(this ILogger logger, int version, string name);

    [LoggerMessage(3004, LogLevel.Information, "Event queue drained")]
    public static partial void Drained(this ILogger logger);

    [LoggerMessage(3005, LogLevel.Warning, "Reading the event streams failed; retrying in {Delay}")]
    public static partial void StreamReadFailed(this ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(3007, LogLevel.Warning, "Acknowledging {Count} written events failed; they stay pending and will be written again (idempotently)")]
    public static partial void AcknowledgeFailed(this ILogger logger, Exception exception, int count);

    [LoggerMessage(3006, LogLevel.Error, "Event stream entry {EntryId} of {Stream} is not an event; moved to {DeadLetter}")]
    public static partial void PoisonEntry(this ILogger logger, string entryId, string stream, string deadLetter);
}
