namespace Gateway.Metering.Export;

/// <summary>The last event delivered, in the exporter's order: (recorded_at, event_id).</summary>
internal readonly record struct ExportCursor(DateTime RecordedAt, Guid EventId);
