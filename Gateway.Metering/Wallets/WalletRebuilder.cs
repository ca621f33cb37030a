using System.Collections.Concurrent;
using Gateway.Metering.Tenants;

namespace Gateway.Metering.Wallets;

/// <summary>
/// Puts a tenant's wallet into Redis from the Postgres ledger when Redis has none: at tenant creation, on first use,
/// or after Redis lost its data. One rebuild per tenant at a time. This reads Postgres, so it is the one exception to
/// "no database call on the request path": it happens once per tenant per loss of Redis.
/// </summary>
internal sealed class WalletRebuilder(WalletLedger ledger, TenantCatalog tenants, WalletStore wallets)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _running = new(StringComparer.Ordinal);

    /// <summary>False when the tenant does not exist.</summary>
    public async Task<bool> EnsureAsync(string tenantId, CancellationToken cancellationToken)
    {
        var tenant = await tenants.FindAsync(tenantId, cancellationToken);
        if (tenant is null)
        {
            return false;
        }

        var run = _running.GetOrAdd(tenantId, id => new Lazy<Task>(() => RebuildAsync(id, tenant.Status)));
        try
        {
            await run.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<string, Lazy<Task>>(tenantId, run));
        }

        return true;
    }

    private async Task RebuildAsync(string tenantId, string status)
    {
        var limits = await ledger.LimitsAsync(tenantId, CancellationToken.None);
        var (balance, credits) = await ledger.SnapshotAsync(tenantId, CancellationToken.None);
        await wallets.RebuildAsync(tenantId, balance, status, limits, credits);
    }
}
