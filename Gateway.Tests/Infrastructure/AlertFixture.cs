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

    /// <summary>Quick checks and retries; four attempts at most.</summary>
    internal static readonly Dictionary<string, string?> Settings = new()
    {
        ["Alerts:Enabled"] = "true",
        ["Alerts:Interval"] = "00:00:00.100",
        ["Alerts:SpikeCheckInterval"] = "00:00:00.200",
        ["Alerts:RetryDelay"] = "00:00:00.200",
        ["Alerts:MaxRetryDelay"] = "00:00:00.500",
        ["Alerts:MaxAttempts"] = "4",
    };

    public async Task InitializeAsync()
    {
        A = await GatewayHost.StartAsync(Settings);
        B = await GatewayHost.StartAsync(Settings);
        await A.PriceAsync(Model, 100m, 1000m);
        await B.Services.GetRequiredService<Gateway.Metering.Rating.PriceBook>().LoadAsync();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
