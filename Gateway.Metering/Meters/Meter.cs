namespace Gateway.Metering.Meters;

/// <summary>A non-token meter (tool calls, retrieval, embeddings done elsewhere): micro-USD per unit, and how units
/// add up on an invoice (<c>sum</c> of quantities or <c>count</c> of events).</summary>
internal sealed record Meter(string Id, long UnitPriceMicros, string Aggregation, DateTimeOffset UpdatedAt);
