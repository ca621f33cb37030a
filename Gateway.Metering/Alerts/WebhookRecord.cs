namespace Gateway.Metering.Alerts;

/// <summary>A webhook in the outbox and how its delivery went.</summary>
internal sealed record WebhookRecord(
    Guid Id,
    string TenantId,
    string Type,
    string Payload,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? DeliveredAt);
