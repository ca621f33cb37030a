namespace Gateway.Metering.Rating;

/// <summary>
/// An immutable view of every price version and every tenant's pricing history, answering "which price applied to
/// this tenant's model at this time". A tenant's own price wins over its plan's, which wins over everyone's; within a
/// scope the version with the latest <see cref="ModelPrice.EffectiveFrom"/> not after the time applies (the higher
/// version on a tie, so a correction dated like the price it corrects replaces it).
/// </summary>
internal sealed class PriceResolver
{
    // Keyed by (scope kind, scope id, model) so a request's lookups build no strings: "tenant", "plan" or "".
    private readonly Dictionary<(string Kind, string Id, string Model), ModelPrice[]> _versions;
    private readonly Dictionary<string, TenantPricing[]> _tenants;

    private PriceResolver(Dictionary<(string Kind, string Id, string Model), ModelPrice[]> versions, Dictionary<string, TenantPricing[]> tenants)
    {
        _versions = versions;
        _tenants = tenants;
    }

    public static PriceResolver Empty { get; } = new([], []);

    public static PriceResolver Build(IEnumerable<ModelPrice> versions, IEnumerable<TenantPricing> tenants) => new(
        versions.GroupBy(p => Split(p.Scope, p.Model))
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.EffectiveFrom).ThenBy(p => p.Version).ToArray()),
        tenants.GroupBy(t => t.TenantId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(t => t.EffectiveFrom).ToArray(), StringComparer.Ordinal));

    public static string KeyOf(string scope, string model) => scope + "|" + model;

    private static (string Kind, string Id, string Model) Split(string scope, string model)
    {
        var colon = scope.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (scope, "", model) : (scope[..colon], scope[(colon + 1)..], model);
    }

    public bool IsEmpty => _versions.Count == 0;

    public IEnumerable<ModelPrice> Versions => _versions.Values.SelectMany(v => v);

    public IEnumerable<TenantPricing> Pricing => _tenants.Values.SelectMany(v => v);

    public ResolvedPrice? Resolve(string tenantId, string model, DateTimeOffset at)
    {
        if (At(("tenant", tenantId, model), at) is { } own)
        {
            return new ResolvedPrice(own, 0);
        }

        var pricing = PricingAt(tenantId, at);
        var price = (pricing.PlanId is { } plan ? At(("plan", plan, model), at) : null) ?? At(("", "", model), at);
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
        => At(Split(scope, model), at);

    private ModelPrice? At((string Kind, string Id, string Model) key, DateTimeOffset at)
        => _versions.TryGetValue(key, out var versions) ? Effective(versions, at) : null;

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
