using Dapper;
using Gateway.Metering.Alerts;
using Gateway.Metering.Sink;
using Gateway.Metering.Tenants;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Integration;

/// <summary>The armed flags and the outbox against the real Postgres: a crossing decided by many at once is queued
/// once; a stale re-arm never undoes a newer crossing; re-PUTting the same rules never re-sends.</summary>
public sealed class AlertCatalogTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(TestServices.Postgres);

    private AlertCatalog Catalog => new(_postgres, TimeProvider.System);

    public async Task InitializeAsync() => await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);

    private readonly List<string> _tenants = [];

    /// <summary>Removes the rules and cancels the webhooks made here, so no running test gateway goes on sending them.</summary>
    public async Task DisposeAsync()
    {
        foreach (var tenant in _tenants)
        {
            await Catalog.DeleteAsync(tenant, CancellationToken.None);
        }

        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Fire_ManyDecidersAtOnce_OneWebhookQueued()
    {
        var tenant = await TenantWithRulesAsync(lowBalanceMicros: 5_000_000);
        var state = (await StatesAsync(tenant)).Single();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            Task.Run(() => Catalog.FireAsync(state, Guid.CreateVersion7(), WebhookTypes.LowBalance, "{}", DateTimeOffset.UtcNow, CancellationToken.None))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single(await new WebhookOutbox(_postgres).ListAsync(tenant, 10, CancellationToken.None));
        var after = (await StatesAsync(tenant)).Single();
        Assert.False(after.Armed);
        Assert.Equal(state.Episode + 1, after.Episode);
    }

    [Fact]
    public async Task Rearm_DecidedOnAnOlderEpisode_ChangesNothing()
    {
        var tenant = await TenantWithRulesAsync(lowBalanceMicros: 5_000_000);
        var fresh = (await StatesAsync(tenant)).Single();
        Assert.True(await Catalog.FireAsync(fresh, Guid.CreateVersion7(), WebhookTypes.LowBalance, "{}", DateTimeOffset.UtcNow, CancellationToken.None));
        var fired = (await StatesAsync(tenant)).Single();
        Assert.True(await Catalog.RearmAsync(fired, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.True(await Catalog.FireAsync((await StatesAsync(tenant)).Single(), Guid.CreateVersion7(), WebhookTypes.LowBalance, "{}", DateTimeOffset.UtcNow, CancellationToken.None));

        var stale = await Catalog.RearmAsync(fired, DateTimeOffset.UtcNow, CancellationToken.None); // read before the second crossing

        Assert.False(stale);
        Assert.False((await StatesAsync(tenant)).Single().Armed);
        Assert.Equal(2, (await new WebhookOutbox(_postgres).ListAsync(tenant, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Put_SameRulesAgain_KeepsDisarmed_NewThresholdRearms_RemovedRuleDropsState()
    {
        var tenant = await TenantWithRulesAsync(lowBalanceMicros: 5_000_000, topUp: new AutoTopUpRule(5_000_000, 20_000_000));
        foreach (var state in await StatesAsync(tenant))
        {
            Assert.True(await Catalog.FireAsync(state, Guid.CreateVersion7(), WebhookTypes.LowBalance, "{}", DateTimeOffset.UtcNow, CancellationToken.None));
        }

        await Catalog.PutAsync(Rules(tenant, 5_000_000, new AutoTopUpRule(5_000_000, 30_000_000)), CancellationToken.None); // same thresholds, new amount
        Assert.All(await StatesAsync(tenant), s => Assert.False(s.Armed));

        await Catalog.PutAsync(Rules(tenant, 6_000_000, null), CancellationToken.None);
        var states = await StatesAsync(tenant);
        Assert.Equal(AlertKind.LowBalance, Assert.Single(states).Kind);
        Assert.True(states[0].Armed);
        Assert.Equal(6_000_000, states[0].ThresholdMicros);
    }

    private async Task<string> TenantWithRulesAsync(long? lowBalanceMicros, AutoTopUpRule? topUp = null)
    {
        var tenant = TestServices.NewTenantId("al");
        await new TenantCatalog(_postgres, TimeProvider.System).CreateAsync(tenant, tenant, CancellationToken.None);
        _tenants.Add(tenant);
        await Catalog.PutAsync(Rules(tenant, lowBalanceMicros, topUp), CancellationToken.None);
        return tenant;
    }

    private static TenantAlerts Rules(string tenant, long? lowBalanceMicros, AutoTopUpRule? topUp)
        => new(tenant, "http://127.0.0.1:9/hooks", "0123456789abcdef", lowBalanceMicros, null, topUp, DateTimeOffset.UtcNow);

    private async Task<List<AlertRuleState>> StatesAsync(string tenant)
        => [.. (await Catalog.StatesAsync(CancellationToken.None)).Where(s => s.TenantId == tenant)];
}
