namespace Gateway.Metering.Meters;

/// <summary>One reported use of a meter by a tenant, as accepted (validated) from <c>POST /v1/meter-events</c>.</summary>
internal sealed record MeterEvent(string EventId, string Meter, decimal Quantity, DateTimeOffset OccurredAt, string? MetadataJson);
