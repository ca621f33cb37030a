namespace Gateway.Startup;

/// <summary><c>Shutdown:*</c>: how a graceful stop (SIGTERM, Ctrl+C) treats requests in flight.</summary>
internal sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>How long requests and streams in flight may finish after the gateway stops accepting connections
    /// (default 30 s); those still running are then cut, settled as <c>client_cancelled</c> (billed for what was
    /// delivered) and recorded. Settles and the event drain (<c>Sink:ShutdownTimeout</c>) follow.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
