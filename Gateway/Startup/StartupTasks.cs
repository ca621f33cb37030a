using Gateway.Metering.Rating;
using Gateway.Metering.Sink;
using Gateway.Metering.Tenants;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Options;

namespace Gateway.Startup;

/// <summary>
/// Runs before the gateway takes requests: migrations, the demo seed, and the request path's copies in Redis of the
/// live keys and current prices (Postgres is the truth; Redis may have been emptied), with the epoch marker.
/// </summary>
internal sealed class StartupTasks(
    MigrationRunner migrations,
    TenantCatalog tenants,
    PriceCatalog priceCatalog,
    WalletLedger ledger,
    WalletStore wallets,
    WalletRebuilder rebuilder,
    Auth.KeyCache keyCache,
    RedisSeeder seeder,
    RedisEpochWatcher epochWatcher,
    IOptions<DemoOptions> demo,
    ILogger<StartupTasks> logger)
{
    /// <summary>Demo prices of the simulated models, USD per million tokens (input, output).</summary>
    private static readonly (string Model, long Input, long Output)[] DemoPrices =
    [
        ("sim-1", 500_000, 1_500_000),
        ("sim-mini", 150_000, 600_000),
        ("sim-reasoner", 3_000_000, 12_000_000),
        ("sim-embed", 20_000, 0),
    ];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await migrations.RunAsync(cancellationToken);
        await SeedDemoAsync(cancellationToken);
        epochWatcher.Remember(await seeder.SeedAsync(cancellationToken));
        await keyCache.SubscribeAsync();
    }

    private async Task SeedDemoAsync(CancellationToken cancellationToken)
    {
        var options = demo.Value;
        if (string.IsNullOrWhiteSpace(options.Key))
        {
            return;
        }

        await tenants.CreateAsync(options.TenantId, "Demo tenant", cancellationToken);
        var keyId = await tenants.EnsureKeyAsync(options.TenantId, "demo", ApiKeys.DisplayPrefix(options.Key), ApiKeys.Hash(options.Key), cancellationToken);
        var priced = (await priceCatalog.CurrentAsync(cancellationToken)).Select(p => p.Model).ToHashSet(StringComparer.Ordinal);
        foreach (var (model, input, output) in DemoPrices.Where(p => !priced.Contains(p.Model)))
        {
            await priceCatalog.PutAsync(model, input, output, null, null, null, cancellationToken);
        }

        var (credit, _) = await ledger.AddCreditAsync(options.TenantId, 10 * Money.MicrosPerUnit, "demo-seed", null, "demo credit", cancellationToken);
        await rebuilder.EnsureAsync(options.TenantId, cancellationToken);
        await wallets.CreditAsync(options.TenantId, credit.Id, credit.AmountMicros);
        logger.DemoSeeded(options.TenantId, keyId);
    }
}
