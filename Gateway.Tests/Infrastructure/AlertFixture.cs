using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Two gateways on the same Redis and Postgres, both detecting crossings and delivering webhooks, so every alert
/// test also shows that several gateways send a crossing once. <see cref="Model"/> is priced high enough that a few
/// simulated requests move a small balance across a threshold.
/// </summary>
public sealed class AlertFixture : IAsyncLifetime
{
    /// <summary>$100 in, $1,000 out per million tokens: a request with max_tokens 10 costs about a cent.</summary>
    public const string Model = "sim-alerts";

    internal GatewayHost A { get; private set; } = null!;

    internal GatewayHost B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = await GatewayHost.StartAsync();
        B = await GatewayHost.StartAsync();
        await A.PriceAsync(Model, 100m, 1000m);
        await B.Services.GetRequiredService<Gateway.Metering.Rating.PriceBook>().LoadAsync();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
