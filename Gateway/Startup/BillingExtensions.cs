using Gateway.Metering.Aggregation;
using Gateway.Metering.Billing;
using Gateway.Metering.Meters;
using Microsoft.Extensions.Options;

namespace Gateway.Startup;

/// <summary>Registration of rating and billing beyond the request path (issue #6): plans, re-rating, invoices, usage
/// from the rollups, meters, and the timed work (credit expiry, plans' monthly credits).</summary>
internal static class BillingExtensions
{
    public static IServiceCollection AddBilling(this IServiceCollection services)
    {
        services.AddOptions<BillingOptions>().BindConfiguration(BillingOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BillingOptions>, BillingOptionsValidator>();
        services.AddSingleton<PlanCatalog>();
        services.AddSingleton<PlanCredits>();
        services.AddSingleton<BilledEventReader>();
        services.AddSingleton<Rerater>();
        services.AddSingleton<InvoiceBuilder>();
        services.AddSingleton<InvoiceStore>();
        services.AddSingleton<InvoiceCloser>();
        services.AddSingleton<UsageReader>();
        services.AddSingleton<MeterCatalog>();
        services.AddSingleton<MeterEventWriter>();
        services.AddHostedService<BillingScheduleService>();
        return services;
    }
}
