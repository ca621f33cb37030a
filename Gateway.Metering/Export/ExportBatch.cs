using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>The next events after the cursor, oldest write first, and the cursor after the last of them.</summary>
internal sealed record ExportBatch(IReadOnlyList<MeteringEvent> Events, ExportCursor Last);
