using System.Globalization;
using System.Text.Json;
using Gateway.Errors;
using Gateway.Metering.Aggregation;
using Gateway.Metering.Billing;
using Gateway.Metering.Rating;
using Gateway.Metering.Tenants;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /admin/usage</c> (from the rollups), <c>GET /admin/tenants/{id}/invoices/{period}</c>,
/// <c>POST /admin/invoices/{period}/close</c> and <c>POST /admin/rerate</c>.
/// </summary>
internal static class BillingEndpoints
{
    public const int MaxUsageRows = 10_000;

    public static RouteGroupBuilder MapBillingEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/usage", GetUsage);
        admin.MapGet("/tenants/{id}/invoices/{period}", GetInvoice);
        admin.MapPost("/invoices/{period}/close", ClosePeriod);
        admin.MapPost("/rerate", Rerate);
        return admin;
    }

    private static async Task GetUsage(HttpContext context, UsageReader reader, TimeProvider time)
    {
        var query = context.Request.Query;
        var now = time.GetUtcNow();
        if (Parse(query, now) is { Error: { } error })
        {
            await OpenAiErrorWriter.WriteAsync(context, error);
            return;
        }

        var usage = Parse(query, now).Query!;
        var (rows, truncated) = await reader.ReadAsync(usage, MaxUsageRows, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteString("tenant", usage.TenantId);
        json.WriteString("from", usage.From);
        json.WriteString("to", usage.To);
        json.WriteString("window", usage.Window);
        json.WriteStartArray("group_by");
        foreach (var g in usage.GroupBy)
        {
            json.WriteStringValue(g);
        }

        json.WriteEndArray();
        json.WriteString("source", usage.Source switch { UsageSource.DailyRollup => "usage_daily", UsageSource.HourlyRollup => "usage_hourly", _ => "events" });
        json.WriteBoolean("truncated", truncated);
        json.WriteStartArray("data");
        foreach (var row in rows)
        {
            json.WriteStartObject();
            json.WriteString("period_start", row.PeriodStart);
            for (var i = 0; i < usage.GroupBy.Count; i++)
            {
                json.WriteString(usage.GroupBy[i] == "tenant" ? "tenant_id" : usage.GroupBy[i], row.Dimensions[i]);
            }

            for (var i = 0; i < UsageQuery.Measures.Count; i++)
            {
                json.WriteNumber(UsageQuery.Measures[i], row.Measures[i]);
            }

            json.WriteNumber("cost", Money.ToDecimal(row.Measures[^1]));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>tenant (optional), from/to (ISO 8601, floored to the hour; default: this month so far), group_by
    /// (comma-separated), window (hour, day or month; default day).</summary>
    private static (UsageQuery? Query, GatewayError? Error) Parse(IQueryCollection query, DateTimeOffset now)
    {
        var tenant = query["tenant"].ToString() is { Length: > 0 } t ? t : null;
        if (tenant is not null && !TenantEndpoints.TenantId().IsMatch(tenant))
        {
            return (null, GatewayError.InvalidRequest("'tenant' must be a tenant id.", "tenant"));
        }

        if (!TryTime(query["from"], BillingPeriod.Of(now).Start, out var from) || !TryTime(query["to"], now.AddHours(1), out var to))
        {
            return (null, GatewayError.InvalidRequest("'from' and 'to' must be ISO 8601 times, e.g. 2026-11-01T00:00:00Z.", "from"));
        }

        (from, to) = (FloorHour(from), FloorHour(to));
        if (to <= from || to - from > TimeSpan.FromDays(3700))
        {
            return (null, GatewayError.InvalidRequest("'to' must be at least an hour after 'from' (both are taken to the whole hour), at most ten years.", "to"));
        }

        var window = query["window"].ToString() is { Length: > 0 } w ? w : "day";
        if (!UsageQuery.Windows.Contains(window))
        {
            return (null, GatewayError.InvalidRequest("'window' must be hour, day or month.", "window"));
        }

        var groupBy = query["group_by"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (groupBy.FirstOrDefault(g => !UsageQuery.Dimensions.ContainsKey(g)) is { } unknown)
        {
            return (null, GatewayError.InvalidRequest($"Cannot group by '{unknown}'; use any of: {string.Join(", ", UsageQuery.Dimensions.Keys)}.", "group_by"));
        }

        if (groupBy.Contains("trace_id") && tenant is null)
        {
            return (null, GatewayError.InvalidRequest("Grouping by trace_id reads raw events: name a 'tenant'.", "tenant"));
        }

        return (new UsageQuery(tenant, from, to, groupBy, window), null);
    }

    private static bool TryTime(string? text, DateTimeOffset fallback, out DateTimeOffset value)
    {
        value = fallback;
        return string.IsNullOrEmpty(text) || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    private static DateTimeOffset FloorHour(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    private static async Task<IResult> GetInvoice(string id, string period, TenantCatalog tenants, InvoiceStore store, InvoiceBuilder builder, CancellationToken cancellationToken)
    {
        if (!BillingPeriod.TryParse(period, out var billingPeriod))
        {
            return GatewayError.InvalidRequest("The period must be a month like 2026-11.", "period").ToResult();
        }

        if (await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        var invoice = await store.FindAsync(id, billingPeriod, cancellationToken) ?? await builder.BuildAsync(id, billingPeriod, cancellationToken);
        return Results.Json(invoice, InvoiceJsonContext.Default.InvoiceDocument);
    }

    private static async Task<IResult> ClosePeriod(string period, InvoiceCloser closer, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!BillingPeriod.TryParse(period, out var billingPeriod))
        {
            return GatewayError.InvalidRequest("The period must be a month like 2026-11.", "period").ToResult();
        }

        if (billingPeriod.End > time.GetUtcNow())
        {
            return GatewayError.Conflict($"The period {period} has not ended yet; it can be closed from {billingPeriod.End:yyyy-MM-ddTHH:mm:ssZ}.").ToResult();
        }

        var closed = await closer.CloseAsync(billingPeriod, cancellationToken);
        return Results.Json(new CloseResponse(period, [.. closed.Select(i => new ClosedInvoice(i.TenantId, i.Total, i.TotalMicros))]), BillingJsonContext.Default.CloseResponse);
    }

    private static async Task<IResult> Rerate(HttpRequest request, Rerater rerater, TenantCatalog tenants)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await AdminRequest.ReadAsync(request, BillingJsonContext.Default.RerateRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (body!.From is not { } from || body.To is not { } to || to <= from || to - from > TimeSpan.FromDays(3700))
        {
            return GatewayError.InvalidRequest("'from' and 'to' are required ISO 8601 times, 'from' before 'to', at most ten years apart.", "from").ToResult();
        }

        if (body.Tenant is { } tenant && await TenantEndpoints.MissingAsync(tenant, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        var result = await rerater.RerateAsync(from, to, body.Tenant, cancellationToken);
        return Results.Json(
            new RerateResponse(result.Id, result.EventsRated, result.EventsChanged, Money.ToDecimal(result.DifferenceMicros), result.DifferenceMicros,
                [.. result.Tenants.Select(t => new TenantRerateResponse(t.TenantId, t.EventsChanged, Money.ToDecimal(t.OldCostMicros), Money.ToDecimal(t.NewCostMicros), Money.ToDecimal(t.DifferenceMicros), t.DifferenceMicros, t.AdjustmentId))],
                result.SkippedClosed),
            BillingJsonContext.Default.RerateResponse);
    }
}
