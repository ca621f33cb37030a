using Microsoft.Extensions.Logging;

namespace Gateway.Metering.Alerts;

/// <summary>Alert and webhook log messages; event ids 6000–6099. Never logs a secret, a URL's path or query, or a body.</summary>
internal static partial class AlertLog
{
    [LoggerMessage(6000, LogLevel.Information, "{Type} for tenant {TenantId} queued as webhook {EventId}")]
    public static partial void Fired(this ILogger logger, string type, string tenantId, Guid eventId);

    [LoggerMessage(6001, LogLevel.Debug, "Rule {Kind} of tenant {TenantId} armed again")]
    public static partial void Rearmed(this ILogger logger, string kind, string tenantId);

    [LoggerMessage(6002, LogLevel.Warning, "Checking alerts failed; trying again next interval")]
    public static partial void CheckFailed(this ILogger logger, Exception exception);

    [LoggerMessage(6010, LogLevel.Debug, "Webhook {EventId} ({Type}) delivered to {Host} on attempt {Attempt}")]
    public static partial void Delivered(this ILogger logger, Guid eventId, string type, string host, int attempt);

    [LoggerMessage(6011, LogLevel.Warning, "Webhook {EventId} ({Type}) to {Host}, attempt {Attempt} failed ({Error}); next attempt in {Delay}")]
    public static partial void AttemptFailed(this ILogger logger, Guid eventId, string type, string host, int attempt, string error, TimeSpan delay);

    [LoggerMessage(6012, LogLevel.Error, "Webhook {EventId} ({Type}) to {Host} given up after {Attempt} attempts ({Error})")]
    public static partial void GaveUp(this ILogger logger, Guid eventId, string type, string host, int attempt, string error);

    [LoggerMessage(6013, LogLevel.Information, "Webhook {EventId} of tenant {TenantId} cancelled: the tenant has no webhook endpoint any more")]
    public static partial void Cancelled(this ILogger logger, Guid eventId, string tenantId);

    [LoggerMessage(6014, LogLevel.Warning, "Delivering webhooks failed; trying again next interval")]
    public static partial void DeliveryFailed(this ILogger logger, Exception exception);
}
