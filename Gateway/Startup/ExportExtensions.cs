using Gateway.Metering.Export;

namespace Gateway.Startup;

/// <summary>Registers <c>GET /admin/export</c>'s reader.</summary>
internal static class ExportExtensions
{
    public static IServiceCollection AddExport(this IServiceCollection services)
    {
        services.AddSingleton<EventRangeReader>();
        return services;
    }
}
