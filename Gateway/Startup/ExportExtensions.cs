using Gateway.Metering.Export;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.Startup;

/// <summary>Registers <c>GET /admin/export</c>'s reader and the exporter (a hosted service that does nothing unless
/// <c>Export:Target</c> is set).</summary>
internal static class ExportExtensions
{
    public static IServiceCollection AddExport(this IServiceCollection services)
    {
        services.AddOptions<ExportOptions>().BindConfiguration(ExportOptions.Section).ValidateAttributes<ExportOptions, ExportOptionsAttributesValidator>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExportOptions>, ExportOptionsValidator>();
        services.AddSingleton<EventRangeReader>();
        services.AddHostedService(sp => new ExportService(
            sp.GetRequiredService<NpgsqlDataSource>(),
            sp.GetRequiredService<IOptions<ExportOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ExportService>>()));
        return services;
    }
}
