using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Admin;

/// <summary>The alert routes' JSON (snake_case, source-generated), apart from <see cref="AdminJsonContext"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(AlertsRequest))]
[JsonSerializable(typeof(AlertsResponse))]
[JsonSerializable(typeof(WebhookList))]
internal sealed partial class AlertAdminJsonContext : JsonSerializerContext;

internal sealed record AlertsRequest(decimal? LowBalance, string? WebhookUrl, string? Secret, SpendSpikeBody? SpendSpike, AutoTopUpBody? AutoTopUp);

internal sealed record SpendSpikeBody(decimal? Multiple, int? WindowMinutes, long? MinTokensPerMinute);

internal sealed record AutoTopUpBody(decimal? Below, decimal? Amount);

/// <summary><c>armed</c>: per rule, whether its next crossing sends (null: rule off).</summary>
internal sealed record AlertsResponse(string TenantId, decimal? LowBalance, string WebhookUrl, string Secret, SpendSpikeBody? SpendSpike, AutoTopUpBody? AutoTopUp, ArmedBody Armed, DateTimeOffset UpdatedAt);

internal sealed record ArmedBody(bool? LowBalance, bool? SpendSpike, bool? AutoTopUp);

internal sealed record WebhookList(IReadOnlyList<WebhookResponse> Data);

internal sealed record WebhookResponse(Guid Id, string Type, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, int? LastStatus, string? LastError, DateTimeOffset? DeliveredAt, JsonElement Payload);
