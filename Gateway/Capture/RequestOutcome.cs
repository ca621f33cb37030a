using Gateway.Metering.Usage;

namespace Gateway.Capture;

/// <summary>How the exchange with the upstream and the client ended.</summary>
internal sealed record RequestOutcome(
    int HttpStatus,
    bool ClientGone,
    bool UpstreamFailed,
    bool UpstreamAnswered,
    bool Streamed,
    CaptureResult? Capture,
    int LatencyMs,
    int? TtftMs);
