using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>An event the target refused for good; it is recorded in <c>export_rejections</c> and logged.</summary>
internal sealed record ExportRejection(MeteringEvent Event, int Status, string Reason);
