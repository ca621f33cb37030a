namespace Gateway.Proxy;

/// <summary>Proxy log messages; event ids 1000–1099. Never prompts, completions or keys.</summary>
internal static partial class ProxyLog
{
    [LoggerMessage(1000, LogLevel.Warning, "Forwarding {EventId} to {Provider} failed: {Error}")]
    public static partial void ForwardFailed(this ILogger logger, Guid eventId, string provider, Yarp.ReverseProxy.Forwarder.ForwarderError error, Exception? exception);

    [LoggerMessage(1001, LogLevel.Error, "Building event {EventId} failed")]
    public static partial void EventNotRecorded(this ILogger logger, Guid eventId, Exception exception);

    [LoggerMessage(1003, LogLevel.Warning, "Event {EventId} finished after its hold had expired and was settled as abandoned; the abandoned event stands")]
    public static partial void SettledAfterAbandon(this ILogger logger, Guid eventId);

    [LoggerMessage(1004, LogLevel.Warning, "Event {EventId}: {Provider} answered {Status}; trying {Fallback}")]
    public static partial void FallingBack(this ILogger logger, Guid eventId, string provider, int status, string fallback);

    [LoggerMessage(1002, LogLevel.Warning, "Settling {EventId} in Redis failed; the event goes to Postgres directly")]
    public static partial void SettleFailed(this ILogger logger, Guid eventId, Exception exception);
}
