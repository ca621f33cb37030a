using Gateway.Metering.Alerts;
using Microsoft.Extensions.Options;

namespace Gateway.Alerts;

/// <summary>Registers alert detection, the webhook outbox and its delivery (the <c>Alerts</c> section).</summary>
internal static class AlertsExtensions
{
    public static IServiceCollection AddAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>();
        services.AddSingleton<AlertCatalog>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<SpendReader>();
        services.AddHostedService<AlertService>();
        services.AddHostedService<WebhookDeliveryService>();
        services.AddHttpClient(WebhookDeliveryService.ClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = sp.GetRequiredService<IOptions<AlertOptions>>().Value.DeliveryTimeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
            .RemoveAllLoggers(); // the factory's own logs carry full URLs; ours name the host only
        return services;
    }
}
