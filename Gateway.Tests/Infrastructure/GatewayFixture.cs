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
            ["Providers:anthropic:Kind"] = "anthropic",
            ["Providers:anthropic:BaseUrl"] = Upstream.Root,
            ["Providers:anthropic:ApiKey"] = "sk-ant-provider-secret",
            ["Providers:gemini:Kind"] = "gemini",
            ["Providers:gemini:BaseUrl"] = Upstream.Root,
            ["Providers:gemini:ApiKey"] = "gemini-provider-secret",
            ["Providers:azure:Kind"] = "azure",
            ["Providers:azure:BaseUrl"] = Upstream.Root,
            ["Providers:azure:ApiKey"] = "azure-provider-secret",
            ["Providers:flaky:Kind"] = "openai", // answers 429 in the fallback test, then openai is tried
            ["Providers:flaky:BaseUrl"] = Upstream.BaseUrl,
            ["Providers:flaky:Models:0"] = "flaky-*",
            ["Providers:flaky:FallbackTo"] = "openai",
            ["Providers:vllm:Kind"] = "openai", // an OpenAI-compatible server that refuses stream_options
            ["Providers:vllm:BaseUrl"] = Upstream.BaseUrl,
            ["Providers:vllm:StreamOptions"] = "false",
            ["Providers:vllm:Models:0"] = "local-*",
            ["Admission:AllowUnpricedModels"] = "true", // the fixtures are about usage; their models carry no price
        });
        Simulated = await GatewayHost.StartAsync();
        await PriceSimulatedModelsAsync(Simulated);
    }

    /// <summary>Round prices, so costs in tests are easy to check by hand.</summary>
    internal static async Task PriceSimulatedModelsAsync(GatewayHost gateway)
    {
        await gateway.PriceAsync("sim-1", 1m, 2m);
        await gateway.PriceAsync("sim-mini", 0.5m, 1m);
        await gateway.PriceAsync("sim-reasoner", 3m, 12m, reasoning: 15m);
        await gateway.PriceAsync("sim-embed", 0.02m, 0m);
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
