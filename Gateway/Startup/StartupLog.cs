namespace Gateway.Startup;

/// <summary>Startup log messages; event ids 100–199.</summary>
internal static partial class StartupLog
{
    [LoggerMessage(100, LogLevel.Information, "Synced {Count} live keys to Redis")]
    public static partial void KeysSynced(this ILogger logger, int count);

    [LoggerMessage(101, LogLevel.Information, "Demo tenant '{TenantId}' ready (key {KeyId})")]
    public static partial void DemoSeeded(this ILogger logger, string tenantId, string keyId);

    [LoggerMessage(102, LogLevel.Information, "Upstream for /v1: {Provider} at {BaseUrl}")]
    public static partial void UpstreamChosen(this ILogger logger, string provider, string baseUrl);
}
