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
[JsonSerializable(typeof(PriceRequest))]
[JsonSerializable(typeof(PriceResponse))]
[JsonSerializable(typeof(PriceList))]
[JsonSerializable(typeof(CreditRequest))]
[JsonSerializable(typeof(WalletResponse))]
[JsonSerializable(typeof(LimitsBody))]
[JsonSerializable(typeof(ReconciliationResponse))]
[JsonSerializable(typeof(ReconciliationList))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

internal sealed record CreateTenantRequest(string? Id, string? Name);

internal sealed record TenantResponse(string Id, string Name, string Status, DateTimeOffset CreatedAt);

internal sealed record CreateKeyRequest(string? Name);

internal sealed record CreatedKeyResponse(string Id, string Key, string Name, string TenantId, string Prefix, DateTimeOffset CreatedAt);

internal sealed record EventPage(IReadOnlyList<MeteringEvent> Data, bool HasMore);

internal sealed record PriceRequest(decimal? InputPerMillion, decimal? OutputPerMillion, decimal? CachedInputPerMillion, decimal? CacheWritePerMillion, decimal? ReasoningPerMillion, [property: JsonPropertyName("cache_write_1h_per_million")] decimal? CacheWrite1hPerMillion = null, decimal? ServerToolRequest = null, DateTimeOffset? EffectiveFrom = null, string? TierMode = null, IReadOnlyList<TierRequest>? Tiers = null);

/// <summary>One tier: <c>up_to</c> tokens of the tenant's month of the model (null: no end), and its class prices.</summary>
internal sealed record TierRequest(long? UpTo, decimal? InputPerMillion, decimal? OutputPerMillion, decimal? CachedInputPerMillion = null, decimal? CacheWritePerMillion = null, decimal? ReasoningPerMillion = null, [property: JsonPropertyName("cache_write_1h_per_million")] decimal? CacheWrite1hPerMillion = null, decimal? ServerToolRequest = null);

internal sealed record PriceResponse(string Model, int Version, decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion, decimal? CacheWritePerMillion, decimal? ReasoningPerMillion, [property: JsonPropertyName("cache_write_1h_per_million")] decimal? CacheWrite1hPerMillion, decimal? ServerToolRequest, long Id = 0, string? Scope = null, DateTimeOffset? EffectiveFrom = null, string? TierMode = null, IReadOnlyList<TierRequest>? Tiers = null);

internal sealed record PriceList(IReadOnlyList<PriceResponse> Data);

internal sealed record CreditRequest(decimal? Amount, string? IdempotencyKey, DateTimeOffset? ExpiresAt, string? Note, int? Priority = null);

internal sealed record CreditResponse(long Id, decimal Amount, string IdempotencyKey, DateTimeOffset? ExpiresAt, string? Note, DateTimeOffset CreatedAt, int Priority = 1);

internal sealed record WalletResponse(string TenantId, decimal Balance, decimal Held, decimal Available, string Currency, CreditResponse? Credit = null);

internal sealed record LimitsBody(long? RequestsPerMinute, long? TokensPerMinute, long? TokensPerDay, long? TokensPerMonth);

internal sealed record ReconciliationResponse(string TenantId, decimal RedisBalance, decimal Held, decimal LedgerBalance, decimal UnflushedCost, int UnflushedEvents, decimal Drift, long DriftMicros);

internal sealed record ReconciliationList(IReadOnlyList<ReconciliationResponse> Data, int Drifted);
