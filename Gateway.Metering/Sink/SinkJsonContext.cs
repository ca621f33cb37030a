using System.Text.Json.Serialization;

namespace Gateway.Metering.Sink;

[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<Events.ProviderAttempt>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class SinkJsonContext : JsonSerializerContext;
