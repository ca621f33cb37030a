namespace Gateway.Tests.Infrastructure;

/// <summary>
/// One fake upstream and two gateways shared by the functional tests: <see cref="Replay"/> forwards to the fake
/// upstream (fixtures), <see cref="Simulated"/> uses the built-in simulated provider.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    internal FakeUpstream Upstream { get; private set; } = null!;

    internal GatewayHost Replay { get; private set; } = null!;

    internal GatewayHost Simulated { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Replay = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:openai:BaseUrl"] = Upstream.BaseUrl,
            ["Providers:openai:ApiKey"] = "sk-provider-secret",
        });
        Simulated = await GatewayHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Replay.DisposeAsync();
        await Simulated.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
