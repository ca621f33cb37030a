namespace Gateway.Metering.Rating;

/// <summary>After a price or a tenant's pricing changed in Postgres: copies what changed to Redis, tells every gateway,
/// and reloads this one's book at once, so the next request here sees the change.</summary>
internal sealed class PricingSync(PriceCatalog catalog, PriceStore store, PriceBook book)
{
    public async Task PriceChangedAsync(string scope, string model, CancellationToken cancellationToken)
    {
        await store.PutAsync(await catalog.VersionsAsync(scope, model, cancellationToken), publish: true);
        await book.LoadAsync();
    }

    public async Task TenantChangedAsync(string tenantId, CancellationToken cancellationToken)
    {
        await store.PutTenantPricingAsync(await catalog.TenantPricingAsync(tenantId, cancellationToken), publish: true);
        await book.LoadAsync();
    }

    /// <summary>Everything, from Postgres (start, or Redis lost its data).</summary>
    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        await store.PutAsync(await catalog.AllAsync(cancellationToken), publish: false);
        await store.PutTenantPricingAsync(await catalog.TenantPricingAsync(null, cancellationToken), publish: true);
        await book.LoadAsync();
    }
}
