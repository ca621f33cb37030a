namespace Gateway.Metering.Tenants;

/// <summary>Who a virtual key belongs to.</summary>
internal sealed record KeyIdentity(string TenantId, string KeyId);
