namespace Gateway.Admin;

/// <summary>The admin API under <c>/admin</c>, all behind the admin token.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup("/admin").AddEndpointFilter<AdminTokenFilter>();
        admin.MapTenantEndpoints();
        admin.MapEventEndpoints();
        admin.MapExportEndpoints();
        admin.MapPriceEndpoints();
        admin.MapWalletEndpoints();
        admin.MapPlanEndpoints();
        admin.MapBillingEndpoints();
        admin.MapMeterEndpoints();
        admin.MapAlertEndpoints();
        return endpoints;
    }
}
