namespace Gateway.Metering.Events;

/// <summary>How a request ended; the <c>status</c> of its event.</summary>
internal static class EventStatus
{
    /// <summary>The upstream answered and the answer reached the client whole.</summary>
    public const string Completed = "completed";

    /// <summary>The client went away before the answer was whole.</summary>
    public const string ClientCancelled = "client_cancelled";

    /// <summary>The upstream answered with an error status, failed mid-stream, cut the stream, or could not be reached.</summary>
    public const string UpstreamError = "upstream_error";

    /// <summary>The gateway died mid-request: its hold expired unsettled and its input estimate was billed.</summary>
    public const string Abandoned = "abandoned";
}
