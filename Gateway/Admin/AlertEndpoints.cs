using System.Text.Json;
using Gateway.Errors;
using Gateway.Metering.Alerts;
using Gateway.Metering.Rating;
using Gateway.Metering.Tenants;

namespace Gateway.Admin;

/// <summary><c>/admin/tenants/{id}/alerts</c> (the webhook endpoint, low-balance, spend-spike and auto top-up
/// rules) and <c>/admin/tenants/{id}/webhooks</c> (what was sent, and how delivery went).</summary>
internal static class AlertEndpoints
{
    public const int MaxWebhooks = 1000;

    public static RouteGroupBuilder MapAlertEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPut("/tenants/{id}/alerts", PutAlerts);
        admin.MapGet("/tenants/{id}/alerts", GetAlerts);
        admin.MapDelete("/tenants/{id}/alerts", DeleteAlerts);
        admin.MapGet("/tenants/{id}/webhooks", ListWebhooks);
        return admin;
    }

    private static async Task<IResult> PutAlerts(string id, HttpRequest request, TenantCatalog tenants, AlertCatalog alerts, TimeProvider time)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await AdminRequest.ReadAsync(request, AlertAdminJsonContext.Default.AlertsRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        var (rules, parseError) = AlertsRequestParser.Parse(id, body!, time.GetUtcNow());
        if (parseError is not null)
        {
            return parseError.ToResult();
        }

        if (!await ExistsAsync(id, tenants, cancellationToken))
        {
            return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
        }

        if (body!.Secret is null)
        {
            // No secret sent: keep the current one (a GET, edit, PUT round trip never sees it in full).
            if (await alerts.GetAsync(id, cancellationToken) is not { } current)
            {
                return AlertsRequestParser.SecretRequired().ToResult();
            }

            rules = rules! with { Secret = current.Alerts.Secret };
        }

        await alerts.PutAsync(rules!, cancellationToken);
        var saved = await alerts.GetAsync(id, cancellationToken);
        return AdminRequest.Json(ToResponse(saved!.Value.Alerts, saved.Value.Armed), AlertAdminJsonContext.Default.AlertsResponse);
    }

    private static async Task<IResult> GetAlerts(string id, TenantCatalog tenants, AlertCatalog alerts, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(id, tenants, cancellationToken))
        {
            return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
        }

        var saved = await alerts.GetAsync(id, cancellationToken);
        return saved is { } s
            ? AdminRequest.Json(ToResponse(s.Alerts, s.Armed), AlertAdminJsonContext.Default.AlertsResponse)
            : GatewayError.NotFound($"Tenant '{id}' has no alerts.").ToResult();
    }

    private static async Task<IResult> DeleteAlerts(string id, TenantCatalog tenants, AlertCatalog alerts, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(id, tenants, cancellationToken))
        {
            return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
        }

        return await alerts.DeleteAsync(id, cancellationToken)
            ? Results.NoContent()
            : GatewayError.NotFound($"Tenant '{id}' has no alerts.").ToResult();
    }

    private static async Task<IResult> ListWebhooks(string id, HttpRequest request, TenantCatalog tenants, WebhookOutbox outbox, CancellationToken cancellationToken)
    {
        var limit = 100;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxWebhooks))
        {
            return GatewayError.InvalidRequest($"Query parameter 'limit' must be 1 to {MaxWebhooks}.", "limit").ToResult();
        }

        if (!await ExistsAsync(id, tenants, cancellationToken))
        {
            return GatewayError.NotFound($"No tenant '{id}'.").ToResult();
        }

        var records = await outbox.ListAsync(id, limit, cancellationToken);
        return AdminRequest.Json(new WebhookList([.. records.Select(ToResponse)]), AlertAdminJsonContext.Default.WebhookList);
    }

    private static async Task<bool> ExistsAsync(string id, TenantCatalog tenants, CancellationToken cancellationToken)
        => TenantEndpoints.TenantId().IsMatch(id) && await tenants.FindAsync(id, cancellationToken) is not null;

    private static AlertsResponse ToResponse(TenantAlerts alerts, IReadOnlyDictionary<string, bool> armed) => new(
        alerts.TenantId,
        alerts.LowBalanceMicros is { } low ? Money.ToDecimal(low) : null,
        alerts.WebhookUrl,
        alerts.MaskedSecret,
        alerts.SpendSpike is { } s ? new SpendSpikeBody(s.Multiple, s.WindowMinutes, s.MinTokensPerMinute) : null,
        alerts.AutoTopUp is { } t ? new AutoTopUpBody(Money.ToDecimal(t.BelowMicros), Money.ToDecimal(t.AmountMicros)) : null,
        new ArmedBody(Armed(armed, AlertKind.LowBalance), Armed(armed, AlertKind.SpendSpike), Armed(armed, AlertKind.AutoTopUp)),
        alerts.UpdatedAt);

    private static bool? Armed(IReadOnlyDictionary<string, bool> armed, string kind) => armed.TryGetValue(kind, out var value) ? value : null;

    private static WebhookResponse ToResponse(WebhookRecord record)
    {
        using var payload = JsonDocument.Parse(record.Payload);
        return new WebhookResponse(record.Id, record.Type, record.Status, record.Attempts, record.CreatedAt, record.NextAttemptAt,
            record.LastAttemptAt, record.LastStatus, record.LastError, record.DeliveredAt, payload.RootElement.Clone());
    }
}
