using System.Text.Json.Serialization;

namespace Gateway.Metering.Sink;

[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class SinkJsonContext : JsonSerializerContext;
