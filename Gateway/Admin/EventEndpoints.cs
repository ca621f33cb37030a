using Gateway.Errors;
using Gateway.Metering.Events;

namespace Gateway.Admin;

/// <summary><c>GET /admin/events?tenant=&amp;limit=&amp;after=</c>: a tenant's raw events, oldest first.</summary>
internal static class EventEndpoints
{
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/events", ListEvents);
        return admin;
    }

    private static async Task<IResult> ListEvents(HttpRequest request, EventReader reader, CancellationToken cancellationToken)
    {
        var tenant = request.Query["tenant"].ToString();
        if (!TenantEndpoints.TenantId().IsMatch(tenant))
        {
            return GatewayError.InvalidRequest("Query parameter 'tenant' must be a tenant id.", "tenant").ToResult();
        }

        var limit = 100;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, out limit) || limit is < 1 or > MaxLimit))
        {
            return GatewayError.InvalidRequest($"Query parameter 'limit' must be 1 to {MaxLimit}.", "limit").ToResult();
        }

        Guid? after = null;
        var afterText = request.Query["after"].ToString();
        if (afterText.Length > 0)
        {
            if (!Guid.TryParse(afterText, out var parsed))
            {
                return GatewayError.InvalidRequest("Query parameter 'after' must be an event_id.", "after").ToResult();
            }

            after = parsed;
        }

        var (events, hasMore) = await reader.ListAsync(tenant, after, limit, cancellationToken);
        return AdminRequest.Json(new EventPage(events, hasMore), AdminJsonContext.Default.EventPage);
    }
}
