using System.Text.Json.Serialization;

namespace Gateway.Admin;

/// <summary>Types that exist only to describe the admin API's answers in its OpenAPI document.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(UsageAnswer))]
[JsonSerializable(typeof(List<MeterResponse>))]
internal sealed partial class AdminOpenApiJsonContext : JsonSerializerContext;

/// <summary>Every error: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed record ErrorAnswer(ErrorDetail Error);

internal sealed record ErrorDetail(string Message, string Type, string? Param, string Code);

/// <summary><c>GET /admin/usage</c>: each row has <c>period_start</c>, one field per grouped dimension
/// (<c>model</c>, <c>feature</c>, <c>environment</c>, <c>end_user</c>, <c>trace_id</c>, <c>tenant_id</c>) and the measures.</summary>
internal sealed record UsageAnswer(string Object, string? Tenant, DateTimeOffset From, DateTimeOffset To, string Window, IReadOnlyList<string> GroupBy, string Source, bool Truncated, IReadOnlyList<UsageAnswerRow> Data);

internal sealed record UsageAnswerRow(
    DateTimeOffset PeriodStart,
    string? Model,
    string? Feature,
    string? Environment,
    string? EndUser,
    string? TraceId,
    string? TenantId,
    long Requests,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long CacheWriteTokens,
    [property: JsonPropertyName("cache_write_1h_tokens")] long CacheWrite1hTokens,
    long ReasoningTokens,
    long AudioInputTokens,
    long AudioOutputTokens,
    long TotalTokens,
    long ServerToolRequests,
    long CostMicros,
    decimal Cost);
