namespace Gateway.Metering.Tenants;

internal sealed record Tenant(string Id, string Name, string Status, DateTimeOffset CreatedAt);
