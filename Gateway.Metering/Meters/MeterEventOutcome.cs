namespace Gateway.Metering.Meters;

/// <summary>What became of one meter event: <c>recorded</c> now, or <c>duplicate</c> of one recorded before (the first
/// is kept, and charged once).</summary>
internal sealed record MeterEventOutcome(string EventId, string Status, long CostMicros);
