namespace Gateway.Metering.Aggregation;

/// <summary>
/// A usage question: whose (null: every tenant), which hours (<see cref="From"/> and <see cref="To"/>, whole UTC hours),
/// grouped by which dimensions, in which window. Dimensions are from <see cref="Dimensions"/>.
/// </summary>
internal sealed record UsageQuery(string? TenantId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string> GroupBy, string Window)
{
    /// <summary>Group-by names → columns. trace_id exists only on raw events.</summary>
    public static readonly IReadOnlyDictionary<string, string> Dimensions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["tenant"] = "tenant_id",
        ["model"] = "model",
        ["feature"] = "feature",
        ["environment"] = "environment",
        ["end_user"] = "end_user",
        ["trace_id"] = "trace_id",
    };

    public static readonly IReadOnlyList<string> Windows = ["hour", "day", "month"];

    public static readonly IReadOnlyList<string> Measures =
    [
        "requests", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
        "reasoning_tokens", "audio_input_tokens", "audio_output_tokens", "total_tokens", "server_tool_requests", "cost_micros",
    ];

    /// <summary>Where the answer comes from: the daily rollup when it can answer, else the hourly one; raw events only
    /// for trace ids (a per-request dimension no rollup can hold).</summary>
    public UsageSource Source
    {
        get
        {
            if (GroupBy.Contains("trace_id"))
            {
                return UsageSource.Events;
            }

            var dailyGrouping = GroupBy.All(g => g is "model" or "tenant");
            var dayAligned = From.UtcDateTime.TimeOfDay == TimeSpan.Zero && To.UtcDateTime.TimeOfDay == TimeSpan.Zero;
            return dailyGrouping && Window != "hour" && dayAligned ? UsageSource.DailyRollup : UsageSource.HourlyRollup;
        }
    }
}
