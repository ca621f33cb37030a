using Gateway.Metering.Sink;
using Gateway.Metering.Tenants;
using Microsoft.Extensions.Options;

namespace Gateway.Startup;

/// <summary>Runs before the gateway takes requests: migrations, the live keys copied to Redis, the demo seed.</summary>
internal sealed class StartupTasks(
    MigrationRunner migrations,
    TenantCatalog tenants,
    KeyStore keys,
    IOptions<DemoOptions> demo,
    ILogger<StartupTasks> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await migrations.RunAsync(cancellationToken);
        await SeedDemoAsync(cancellationToken);
        var live = await tenants.LiveKeysAsync(cancellationToken);
        await keys.PutManyAsync(live.Select(k => (Convert.ToHexStringLower(k.Hash), k.Identity)));
        logger.KeysSynced(live.Count);
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
        logger.DemoSeeded(options.TenantId, keyId);
    }
}
