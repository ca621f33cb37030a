using System.Text.Json.Serialization;

namespace Gateway.Metering.Rating;

[JsonSerializable(typeof(ModelPrice))]
[JsonSerializable(typeof(IReadOnlyList<ModelPrice>))]
[JsonSerializable(typeof(IReadOnlyList<PriceTier>))]
[JsonSerializable(typeof(IReadOnlyList<TenantPricing>))]
internal sealed partial class RatingJsonContext : JsonSerializerContext;
