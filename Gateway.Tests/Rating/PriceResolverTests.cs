using Gateway.Metering.Rating;

namespace Gateway.Tests.Rating;

public sealed class PriceResolverTests
{
    private static readonly DateTimeOffset Jan = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ModelPrice Price(string scope, int version, long input, DateTimeOffset from)
        => new("m", version, input, 0, null, null, null) { Scope = scope, EffectiveFrom = from, Id = (scope.Length * 100) + version };

    [Fact]
    public void Resolve_TenantOverPlanOverEveryone_MarkupOnlyOffTheTenantsOwnPrice()
    {
        var resolver = PriceResolver.Build(
            [Price(PriceScope.Global, 1, 10, Jan), Price(PriceScope.Plan("pro"), 1, 8, Jan), Price(PriceScope.Tenant("a"), 1, 5, Jan)],
            [new TenantPricing("a", "pro", 1000, Jan), new TenantPricing("b", "pro", 500, Jan), new TenantPricing("c", null, -200, Jan)]);

        Assert.Equal((5L, 0), (resolver.Resolve("a", "m", Jan)!.Value.Price.InputPerMillionMicros, resolver.Resolve("a", "m", Jan)!.Value.MarkupBp));
        Assert.Equal((8L, 500), (resolver.Resolve("b", "m", Jan)!.Value.Price.InputPerMillionMicros, resolver.Resolve("b", "m", Jan)!.Value.MarkupBp));
        Assert.Equal((10L, -200), (resolver.Resolve("c", "m", Jan)!.Value.Price.InputPerMillionMicros, resolver.Resolve("c", "m", Jan)!.Value.MarkupBp));
        Assert.Equal((10L, 0), (resolver.Resolve("d", "m", Jan)!.Value.Price.InputPerMillionMicros, resolver.Resolve("d", "m", Jan)!.Value.MarkupBp));
        Assert.Null(resolver.Resolve("d", "other", Jan));
        Assert.Null(resolver.Resolve("d", "m", Jan.AddTicks(-1))); // nothing in effect yet
    }

    [Fact]
    public void Resolve_VersionsByEffectiveTime_CorrectionDatedLikeTheOriginalReplacesIt()
    {
        var feb = Jan.AddMonths(1);
        var resolver = PriceResolver.Build(
            [Price(PriceScope.Global, 1, 10, Jan), Price(PriceScope.Global, 2, 20, feb.AddMonths(1)), Price(PriceScope.Global, 3, 11, Jan)],
            []);

        Assert.Equal(3, resolver.Resolve("t", "m", Jan)!.Value.Price.Version);           // v3 corrects v1 from the same time
        Assert.Equal(3, resolver.Resolve("t", "m", feb)!.Value.Price.Version);
        Assert.Equal(2, resolver.Resolve("t", "m", feb.AddMonths(1))!.Value.Price.Version); // the future version takes over by itself
    }

    [Fact]
    public void PricingAt_History_PlanAndMarkupAsOfTheTime()
    {
        var resolver = PriceResolver.Build([], [new TenantPricing("a", "pro", 0, Jan), new TenantPricing("a", null, 300, Jan.AddDays(10))]);

        Assert.Equal("pro", resolver.PricingAt("a", Jan.AddDays(9)).PlanId);
        Assert.Equal((null, 300), (resolver.PricingAt("a", Jan.AddDays(10)).PlanId, resolver.PricingAt("a", Jan.AddDays(10)).MarkupBp));
        Assert.Null(resolver.PricingAt("a", Jan.AddDays(-1)).PlanId);
    }
}
