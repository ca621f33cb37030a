namespace Gateway.Metering.Sink;

/// <summary>One hour of one tenant's usage under one (model, feature, environment, end user); absent dimensions are
/// "". Measures add up; a re-rating adds a cost difference with zero everything else.</summary>
internal sealed class RollupRow(string tenantId, DateTime hour, string model, string feature, string environment, string endUser)
{
    public string TenantId { get; } = tenantId;
    public DateTime Hour { get; } = hour;
    public string Model { get; } = model;
    public string Feature { get; } = feature;
    public string Environment { get; } = environment;
    public string EndUser { get; } = endUser;
    public long Requests { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CachedInputTokens { get; set; }
    public long CacheWriteTokens { get; set; }
    public long CacheWrite1hTokens { get; set; }
    public long ReasoningTokens { get; set; }
    public long AudioInputTokens { get; set; }
    public long AudioOutputTokens { get; set; }
    public long TotalTokens { get; set; }
    public long ServerToolRequests { get; set; }
    public long CostMicros { get; set; }
}
