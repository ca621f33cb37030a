using System.Text.Json;
using Gateway.Admin;
using Gateway.Auth;
using Gateway.Errors;
using Gateway.Metering.Meters;
using Gateway.Metering.Rating;

namespace Gateway.Meters;

/// <summary>
/// <c>POST /v1/meter-events</c> with a tenant's virtual key: one meter event or an array of up to
/// <see cref="MaxBatch"/>, <c>{"event_id","meter","quantity","occurred_at","metadata"}</c>. Idempotent on event_id
/// (per tenant); each is debited from the tenant's wallet once. The whole batch is checked before anything is stored.
/// </summary>
internal static class MeterEventEndpoints
{
    public const int MaxBatch = 1000;
    public const decimal MaxQuantity = 1_000_000_000m;
    private const int MaxBody = 1 << 20;
    private const int MaxMetadata = 4096;
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(35), MaxAhead = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapMeterEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/meter-events", PostAsync);
        return endpoints;
    }

    private static async Task PostAsync(HttpContext context, VirtualKeyAuthenticator authenticator, MeterCatalog meters, MeterEventWriter writer, TimeProvider time)
    {
        var (identity, authError) = await authenticator.AuthenticateAsync(context.Request);
        if (identity is null)
        {
            await OpenAiErrorWriter.WriteAsync(context, authError!);
            return;
        }

        var cancellationToken = context.RequestAborted;
        var (events, error) = await ReadAsync(context.Request, time.GetUtcNow(), cancellationToken);
        var known = error is null ? await meters.AllAsync(cancellationToken) : null;
        error ??= events!.Select(e => e.Meter).FirstOrDefault(m => !known!.ContainsKey(m)) is { } unknown
            ? GatewayError.InvalidRequest($"No meter '{unknown}'; the operator creates meters with PUT /admin/meters/{{id}}.", "meter")
            : null;
        if (error is not null)
        {
            await OpenAiErrorWriter.WriteAsync(context, error);
            return;
        }

        var outcomes = await writer.WriteAsync(identity.TenantId, identity.KeyId, events!, known!, cancellationToken);
        await Results.Json(
            new MeterEventList("list", [.. outcomes.Select(o => new MeterEventResponse(o.EventId, o.Status, Money.ToDecimal(o.CostMicros)))]),
            BillingJsonContext.Default.MeterEventList).ExecuteAsync(context);
    }

    private static async Task<(List<MeterEvent>? Events, GatewayError? Error)> ReadAsync(HttpRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBody)
        {
            return (null, GatewayError.BodyTooLarge(MaxBody));
        }

        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBody; // a chunked body that grows past it fails the read below
        }

        List<MeterEventRequest?>? items;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, cancellationToken);
            items = document.RootElement.ValueKind switch
            {
                JsonValueKind.Array => [.. document.RootElement.EnumerateArray().Select(e => e.Deserialize(BillingJsonContext.Default.MeterEventRequest))],
                JsonValueKind.Object => [document.RootElement.Deserialize(BillingJsonContext.Default.MeterEventRequest)],
                _ => null,
            };
        }
        catch (JsonException ex)
        {
            return (null, GatewayError.InvalidJson($"The request body is not valid JSON: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, GatewayError.BodyTooLarge(MaxBody));
        }

        if (items is null or { Count: 0 or > MaxBatch })
        {
            return (null, GatewayError.InvalidRequest($"Send one meter event object or an array of 1 to {MaxBatch}."));
        }

        var events = new List<MeterEvent>(items.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = items.Count == 1 ? "" : $"[{i}].";
            if (item?.EventId is not { Length: > 0 and <= 200 } id || id.Any(char.IsControl))
            {
                return (null, GatewayError.InvalidRequest($"'{at}event_id' is required: 1 to 200 printable characters, your id for idempotency.", "event_id"));
            }

            if (!seen.Add(id))
            {
                return (null, GatewayError.InvalidRequest($"'{at}event_id' '{id}' appears twice in the batch.", "event_id"));
            }

            if (item.Meter is not { Length: > 0 } meter || !TenantEndpoints.TenantId().IsMatch(meter))
            {
                return (null, GatewayError.InvalidRequest($"'{at}meter' is required (a meter id).", "meter"));
            }

            if (item.Quantity is not { } quantity || quantity < 0 || quantity > MaxQuantity || decimal.Round(quantity, 6) != quantity)
            {
                return (null, GatewayError.InvalidRequest($"'{at}quantity' must be a number from 0 to {MaxQuantity} with at most 6 decimals.", "quantity"));
            }

            var occurredAt = item.OccurredAt ?? now;
            if (occurredAt < now - MaxAge || occurredAt > now + MaxAhead)
            {
                return (null, GatewayError.InvalidRequest($"'{at}occurred_at' must be within the last 35 days and not in the future.", "occurred_at"));
            }

            if (item.Metadata is { } metadata && metadata.ValueKind != JsonValueKind.Object && metadata.ValueKind != JsonValueKind.Null)
            {
                return (null, GatewayError.InvalidRequest($"'{at}metadata' must be an object.", "metadata"));
            }

            // Postgres jsonb refuses the NUL character; a client's bytes must never fail a whole batch later.
            if (item.Metadata is { ValueKind: JsonValueKind.Object } raw && (raw.GetRawText() is { Length: > MaxMetadata } || raw.GetRawText().Contains("\\u0000", StringComparison.OrdinalIgnoreCase)))
            {
                return (null, GatewayError.InvalidRequest($"'{at}metadata' must be at most {MaxMetadata} bytes of JSON without NUL characters.", "metadata"));
            }

            events.Add(new MeterEvent(id, meter, quantity, occurredAt, item.Metadata is { ValueKind: JsonValueKind.Object } m ? m.GetRawText() : null));
        }

        return (events, null);
    }
}
