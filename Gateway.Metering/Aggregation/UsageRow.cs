namespace Gateway.Metering.Aggregation;

/// <summary>One answer row: the window's start, the grouped dimensions' values (null: absent) in query order, and
/// the measures in <see cref="UsageQuery.Measures"/> order.</summary>
internal sealed record UsageRow(DateTimeOffset PeriodStart, string?[] Dimensions, long[] Measures);
