using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>
/// OpenMeter (https://openmeter.io/docs/concepts/usage-events): CloudEvents 1.0 in a JSON batch,
/// <c>POST /api/v1/events</c> as <c>application/cloudevents-batch+json</c>, each with <c>id</c> = event_id,
/// <c>source</c>, <c>type</c>, <c>subject</c> = the tenant's customer, <c>time</c> = occurred_at and the event's
/// numbers in <c>data</c>. OpenMeter deduplicates on (id, source).
/// </summary>
internal sealed class OpenMeterSender(HttpClient http, ExportOptions options) : IExportSender
{
    public const string Path = "api/v1/events";

    public Task<SendResult> SendAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
        => BatchDelivery.SendAsync(batch, batch.Count, PostAsync, _ => false, cancellationToken);

    private async Task<ExportResponse> PostAsync(IReadOnlyList<MeteringEvent> events, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartArray();
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("specversion", "1.0");
                json.WriteString("id", e.EventId.ToString("D"));
                json.WriteString("source", options.OpenMeter.Source);
                json.WriteString("type", options.OpenMeter.Type);
                json.WriteString("subject", options.CustomerOf(e.TenantId));
                json.WriteString("time", e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("datacontenttype", "application/json");
                json.WritePropertyName("data");
                ExportProperties.Write(json, e);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        var content = new ByteArrayContent(body.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents-batch+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        return await ExportResponse.SendAsync(http, request, cancellationToken);
    }
}
