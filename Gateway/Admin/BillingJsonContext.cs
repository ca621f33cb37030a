using System.Text.Json.Serialization;

namespace Gateway.Admin;

/// <summary>The JSON of plans, tenant pricing, usage, invoices, re-rating and meters (issue #6): snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PlanRequest))]
[JsonSerializable(typeof(PlanResponse))]
[JsonSerializable(typeof(TenantPlanRequest))]
[JsonSerializable(typeof(MarkupRequest))]
[JsonSerializable(typeof(TenantPricingResponse))]
[JsonSerializable(typeof(MeterRequest))]
[JsonSerializable(typeof(MeterResponse))]
[JsonSerializable(typeof(List<MeterResponse>))]
[JsonSerializable(typeof(MeterEventRequest))]
[JsonSerializable(typeof(MeterEventList))]
[JsonSerializable(typeof(RerateRequest))]
[JsonSerializable(typeof(RerateResponse))]
[JsonSerializable(typeof(CloseResponse))]
internal sealed partial class BillingJsonContext : JsonSerializerContext;

internal sealed record PlanRequest(decimal? MonthlyFee, decimal? IncludedCredits, Dictionary<string, PriceRequest>? PriceOverrides);

internal sealed record PlanResponse(string Id, decimal MonthlyFee, decimal IncludedCredits, Dictionary<string, PriceResponse> PriceOverrides, DateTimeOffset UpdatedAt);

internal sealed record TenantPlanRequest(string? Plan, DateTimeOffset? EffectiveFrom);

internal sealed record MarkupRequest(decimal? MarkupPercent, DateTimeOffset? EffectiveFrom);

internal sealed record TenantPricingEntry(string? Plan, decimal MarkupPercent, DateTimeOffset EffectiveFrom);

internal sealed record TenantPricingResponse(string TenantId, string? Plan, decimal MarkupPercent, IReadOnlyList<TenantPricingEntry> History);

internal sealed record MeterRequest(decimal? UnitPrice, string? Aggregation);

internal sealed record MeterResponse(string Id, decimal UnitPrice, string Aggregation, DateTimeOffset UpdatedAt);

internal sealed record MeterEventRequest(string? EventId, string? Meter, decimal? Quantity, DateTimeOffset? OccurredAt, System.Text.Json.JsonElement? Metadata);

internal sealed record MeterEventResponse(string EventId, string Status, decimal Cost);

internal sealed record MeterEventList(string Object, IReadOnlyList<MeterEventResponse> Data);

internal sealed record RerateRequest(DateTimeOffset? From, DateTimeOffset? To, string? Tenant);

internal sealed record TenantRerateResponse(string TenantId, int EventsChanged, decimal OldCost, decimal NewCost, decimal Difference, long DifferenceMicros, long? AdjustmentId);

internal sealed record RerateResponse(long Id, int EventsRated, int EventsChanged, decimal Difference, long DifferenceMicros, IReadOnlyList<TenantRerateResponse> Tenants, IReadOnlyList<string> SkippedClosedPeriods);

internal sealed record ClosedInvoice(string TenantId, decimal Total, long TotalMicros);

internal sealed record CloseResponse(string Period, IReadOnlyList<ClosedInvoice> Closed);
