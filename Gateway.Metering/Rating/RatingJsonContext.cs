using System.Text.Json.Serialization;

namespace Gateway.Metering.Rating;

[JsonSerializable(typeof(ModelPrice))]
internal sealed partial class RatingJsonContext : JsonSerializerContext;
