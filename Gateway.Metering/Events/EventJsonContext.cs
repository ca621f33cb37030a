using System.Text.Json.Serialization;

namespace Gateway.Metering.Events;

/// <summary>The event as JSON (snake_case): in the Redis event stream and in the admin API alike.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(MeteringEvent))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
