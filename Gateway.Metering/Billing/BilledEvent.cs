using Gateway.Metering.Usage;

namespace Gateway.Metering.Billing;

/// <summary>What billing needs of a stored event: its tokens and dimensions, and its current rating (the last
/// re-rating's, else the one made at the request).</summary>
internal sealed record BilledEvent(
    Guid EventId,
    DateTimeOffset OccurredAt,
    string TenantId,
    string? Model,
    string? Feature,
    string? Environment,
    string? EndUser,
    bool Billable,
    TokenUsage Usage,
    long CostMicros,
    long? PriceId,
    long? TierPosition,
    int? MarkupBp);
