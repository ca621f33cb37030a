namespace Gateway.Metering.Alerts;

/// <summary>A webhook claimed for one attempt: its stored body and the tenant's endpoint now (null: rules deleted).</summary>
internal sealed record WebhookDelivery(Guid Id, string TenantId, string Type, string Payload, int Attempts, string? Url, string? Secret);
