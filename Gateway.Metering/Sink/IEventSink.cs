using Gateway.Metering.Events;

namespace Gateway.Metering.Sink;

/// <summary>
/// Where the request path hands its one event. The seam the durable path (issue #4: a Redis Stream written in the
/// settle script) replaces; the request path knows nothing else of persistence.
/// </summary>
internal interface IEventSink
{
    /// <summary>Accepts the event. Waits, rather than drops, when the queue is full.</summary>
    ValueTask WriteAsync(MeteringEvent meteringEvent);
}
