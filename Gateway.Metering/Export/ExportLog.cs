using Microsoft.Extensions.Logging;

namespace Gateway.Metering.Export;

/// <summary>Exporter log messages; event ids 6800–6899. The API key is never an argument.</summary>
internal static partial class ExportLog
{
    [LoggerMessage(6800, LogLevel.Information, "Exporting events to {Target} at {Endpoint} (cursor '{Cursor}')")]
    public static partial void Started(this ILogger logger, ExportTarget target, string endpoint, string cursor);

    [LoggerMessage(6801, LogLevel.Debug, "Exported {Count} events to {Target}, up to events written at {RecordedAt:O}")]
    public static partial void Exported(this ILogger logger, int count, ExportTarget target, DateTime recordedAt);

    [LoggerMessage(6802, LogLevel.Warning, "Sending {Count} events to {Target} failed (attempt {Attempt}, HTTP {Status}: {Reason}); sending them again in {Delay}")]
    public static partial void SendFailed(this ILogger logger, int count, ExportTarget target, int attempt, int status, string reason, TimeSpan delay);

    [LoggerMessage(6803, LogLevel.Error, "{Target} refused event {EventId} of tenant {TenantId} (HTTP {Status}: {Reason}); recorded in export_rejections")]
    public static partial void Rejected(this ILogger logger, ExportTarget target, Guid eventId, string tenantId, int status, string reason);

    [LoggerMessage(6804, LogLevel.Warning, "Export round failed on the database; retrying in {Delay}")]
    public static partial void RoundFailed(this ILogger logger, Exception exception, TimeSpan delay);

    [LoggerMessage(6805, LogLevel.Debug, "Another gateway exports cursor '{Cursor}'; waiting")]
    public static partial void LeaseHeldElsewhere(this ILogger logger, string cursor);
}
