namespace Gateway.Metering.Rating;

/// <summary>
/// An immutable view of every price version and every tenant's pricing history, answering "which price applied to
/// this tenant's model at this time". A tenant's own price wins over its plan's, which wins over everyone's; within a
/// scope the version with the latest <see cref="ModelPrice.EffectiveFrom"/> not after the time applies (the higher
/// version on a tie, so a correction dated like the price it corrects replaces it).
/// </summary>
internal sealed class PriceResolver
{
    private readonly Dictionary<string, ModelPrice[]> _versions;
    private readonly Dictionary<string, TenantPricing[]> _tenants;

    private PriceResolver(Dictionary<string, ModelPrice[]> versions, Dictionary<string, TenantPricing[]> tenants)
    {
        _versions = versions;
        _tenants = tenants;
    }

    public static PriceResolver Empty { get; } = new([], []);

    public static PriceResolver Build(IEnumerable<ModelPrice> versions, IEnumerable<TenantPricing> tenants) => new(
        versions.GroupBy(p => KeyOf(p.Scope, p.Model), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.EffectiveFrom).ThenBy(p => p.Version).ToArray(), StringComparer.Ordinal),
        tenants.GroupBy(t => t.TenantId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(t => t.EffectiveFrom).ToArray(), StringComparer.Ordinal));

    public static string KeyOf(string scope, string model) => scope + "|" + model;

    public bool IsEmpty => _versions.Count == 0;

    public IEnumerable<ModelPrice> Versions => _versions.Values.SelectMany(v => v);

    public IEnumerable<TenantPricing> Pricing => _tenants.Values.SelectMany(v => v);

    public ResolvedPrice? Resolve(string tenantId, string model, DateTimeOffset at)
    {
        if (At(PriceScope.Tenant(tenantId), model, at) is { } own)
        {
            return new ResolvedPrice(own, 0);
        }

        var pricing = PricingAt(tenantId, at);
        var price = (pricing.PlanId is { } plan ? At(PriceScope.Plan(plan), model, at) : null) ?? At(PriceScope.Global, model, at);
        return price is null ? null : new ResolvedPrice(price, pricing.MarkupBp);
    }

    public TenantPricing PricingAt(string tenantId, DateTimeOffset at)
    {
        if (_tenants.TryGetValue(tenantId, out var history))
        {
            for (var i = history.Length - 1; i >= 0; i--)
            {
                if (history[i].EffectiveFrom <= at)
                {
                    return history[i];
                }
            }
        }

        return TenantPricing.None(tenantId);
    }

    /// <summary>The version of each model everyone pays at <paramref name="at"/>.</summary>
    public IEnumerable<ModelPrice> GlobalAt(DateTimeOffset at)
    {
        foreach (var versions in _versions.Values)
        {
            if (versions[0].Scope == PriceScope.Global && Effective(versions, at) is { } price)
            {
                yield return price;
            }
        }
    }

    public ModelPrice? At(string scope, string model, DateTimeOffset at)
        => _versions.TryGetValue(KeyOf(scope, model), out var versions) ? Effective(versions, at) : null;

    private static ModelPrice? Effective(ModelPrice[] versions, DateTimeOffset at)
    {
        for (var i = versions.Length - 1; i >= 0; i--)
        {
            if (versions[i].EffectiveFrom <= at)
            {
                return versions[i];
            }
        }

        return null;
    }
}
