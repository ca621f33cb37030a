using Gateway.Errors;
using Gateway.Metering.Meters;
using Gateway.Metering.Rating;

namespace Gateway.Admin;

/// <summary><c>/admin/meters/{id}</c>: non-token meters, USD per unit.</summary>
internal static class MeterEndpoints
{
    /// <summary>Most a unit may cost, in USD (keeps quantity × price inside a 64-bit micro-dollar amount).</summary>
    public const decimal MaxUnitPrice = 1000m;

    public static RouteGroupBuilder MapMeterEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPut("/meters/{id}", PutMeter);
        admin.MapGet("/meters", ListMeters);
        return admin;
    }

    private static async Task<IResult> PutMeter(string id, HttpRequest request, MeterCatalog meters)
    {
        if (!TenantEndpoints.TenantId().IsMatch(id))
        {
            return GatewayError.InvalidRequest("Meter id must match [a-z0-9][a-z0-9_-]{0,63}.", "id").ToResult();
        }

        var (body, error) = await AdminRequest.ReadAsync(request, BillingJsonContext.Default.MeterRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (body!.UnitPrice is not { } price || price < 0 || price > MaxUnitPrice || !Money.TryToMicros(price, out var micros))
        {
            return GatewayError.InvalidRequest($"'unit_price' is required: USD per unit, 0 to {MaxUnitPrice}, at most 6 decimal places.", "unit_price").ToResult();
        }

        var aggregation = body.Aggregation ?? "sum";
        if (aggregation is not ("sum" or "count"))
        {
            return GatewayError.InvalidRequest("'aggregation' must be \"sum\" (quantities add up) or \"count\" (each event is one unit).", "aggregation").ToResult();
        }

        var meter = await meters.PutAsync(id, micros, aggregation, request.HttpContext.RequestAborted);
        return AdminRequest.Json(ToResponse(meter), BillingJsonContext.Default.MeterResponse);
    }

    private static async Task<IResult> ListMeters(MeterCatalog meters, CancellationToken cancellationToken)
    {
        var all = await meters.AllAsync(cancellationToken);
        return AdminRequest.Json(all.Values.OrderBy(m => m.Id, StringComparer.Ordinal).Select(ToResponse).ToList(), BillingJsonContext.Default.ListMeterResponse);
    }

    private static MeterResponse ToResponse(Meter m) => new(m.Id, Money.ToDecimal(m.UnitPriceMicros), m.Aggregation, m.UpdatedAt);
}
