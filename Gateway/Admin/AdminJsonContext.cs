using System.Text.Json.Serialization;
using Gateway.Metering.Events;

namespace Gateway.Admin;

/// <summary>The admin API's JSON: snake_case, source-generated.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CreateTenantRequest))]
[JsonSerializable(typeof(TenantResponse))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(CreatedKeyResponse))]
[JsonSerializable(typeof(EventPage))]
[JsonSerializable(typeof(MeteringEvent))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

internal sealed record CreateTenantRequest(string? Id, string? Name);

internal sealed record TenantResponse(string Id, string Name, string Status, DateTimeOffset CreatedAt);

internal sealed record CreateKeyRequest(string? Name);

internal sealed record CreatedKeyResponse(string Id, string Key, string Name, string TenantId, string Prefix, DateTimeOffset CreatedAt);

internal sealed record EventPage(IReadOnlyList<MeteringEvent> Data, bool HasMore);
