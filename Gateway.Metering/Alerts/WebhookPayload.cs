using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gateway.Metering.Alerts;

/// <summary>
/// The webhook body: <c>{"id","type","created_at","tenant_id","data":{...}}</c>. Written once, stored in the outbox,
/// and sent byte for byte on every attempt, so the <c>id</c> receivers dedupe on always comes with the same body.
/// </summary>
internal static class WebhookPayload
{
    public static string Build<T>(Guid id, string type, DateTimeOffset createdAt, string tenantId, T data, JsonTypeInfo<T> dataType)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("type", type);
            writer.WriteString("created_at", createdAt.ToUniversalTime());
            writer.WriteString("tenant_id", tenantId);
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, dataType);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
