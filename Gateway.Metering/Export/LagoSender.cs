using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>
/// Lago (https://getlago.com/docs/api-reference/events/batch): <c>POST /api/v1/events/batch</c> with
/// <c>{"events":[{"transaction_id","external_subscription_id"|"external_customer_id","code","timestamp","properties"}]}</c>,
/// at most 100 events a call. transaction_id is the event_id, which Lago deduplicates on; versions that refuse a known
/// one answer 422 <c>value_already_exist</c>, which means delivered.
/// </summary>
internal sealed class LagoSender(HttpClient http, ExportOptions options) : IExportSender
{
    public const string Path = "api/v1/events/batch";

    /// <summary>Lago's limit per batch call.</summary>
    public const int MaxBatch = 100;

    public Task<SendResult> SendAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
        => BatchDelivery.SendAsync(batch, MaxBatch, PostAsync, IsDuplicate, cancellationToken);

    private async Task<ExportResponse> PostAsync(IReadOnlyList<MeteringEvent> events, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartArray("events");
            foreach (var e in events)
            {
                json.WriteStartObject();
                json.WriteString("transaction_id", e.EventId.ToString("D"));
                json.WriteString(options.Lago.CustomerField, options.CustomerOf(e.TenantId));
                json.WriteString("code", options.Lago.Code);
                json.WriteNumber("timestamp", e.OccurredAt.ToUnixTimeSeconds());
                json.WritePropertyName("properties");
                ExportProperties.Write(json, e);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        var content = new ByteArrayContent(body.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = content };
        return await ExportResponse.SendAsync(http, request, cancellationToken);
    }

    private static bool IsDuplicate(ExportResponse answer)
        => answer.Status == 422 && answer.Reason.Contains("value_already_exist", StringComparison.Ordinal);
}
