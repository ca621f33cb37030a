using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>One billing system's wire format. Every event goes out keyed on its <c>event_id</c>, so a batch sent
/// again (a retry, a restart before the cursor moved) changes nothing at the target.</summary>
internal interface IExportSender
{
    Task<SendResult> SendAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken);
}
