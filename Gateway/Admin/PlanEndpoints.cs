using Gateway.Errors;
using Gateway.Metering.Billing;
using Gateway.Metering.Rating;
using Gateway.Metering.Tenants;

namespace Gateway.Admin;

/// <summary>
/// <c>/admin/plans/{id}</c> (monthly fee, included credits, price overrides) and a tenant's plan and markup:
/// <c>/admin/tenants/{id}/plan</c>, <c>/markup</c>, <c>/pricing</c>. Changes take effect now or at
/// <c>effective_from</c>; the history is kept for re-rating.
/// </summary>
internal static class PlanEndpoints
{
    /// <summary>Markup bounds: a discount of at most 100 %, a markup of at most 1000 %.</summary>
    private const decimal MinMarkup = -100m, MaxMarkup = 1000m;

    public static RouteGroupBuilder MapPlanEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPut("/plans/{id}", PutPlan);
        admin.MapGet("/plans/{id}", GetPlan);
        admin.MapPut("/tenants/{id}/plan", PutTenantPlan);
        admin.MapPut("/tenants/{id}/markup", PutMarkup);
        admin.MapGet("/tenants/{id}/pricing", GetPricing);
        return admin;
    }

    private static async Task<IResult> PutPlan(string id, HttpRequest request, PlanCatalog plans, PriceCatalog catalog, PricingSync sync, TimeProvider time)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        if (!TenantEndpoints.TenantId().IsMatch(id))
        {
            return GatewayError.InvalidRequest("Plan id must match [a-z0-9][a-z0-9_-]{0,63}.", "id").ToResult();
        }

        var (body, error) = await AdminRequest.ReadAsync(request, BillingJsonContext.Default.PlanRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (body!.MonthlyFee is not { } fee || fee < 0 || !Money.TryToMicros(fee, out var feeMicros))
        {
            return GatewayError.InvalidRequest("'monthly_fee' is required: a non-negative USD amount with at most 6 decimal places.", "monthly_fee").ToResult();
        }

        var included = body.IncludedCredits ?? 0;
        if (included < 0 || !Money.TryToMicros(included, out var includedMicros))
        {
            return GatewayError.InvalidRequest("'included_credits' must be a non-negative USD amount with at most 6 decimal places.", "included_credits").ToResult();
        }

        var overrides = new List<(ModelPrice Price, DateTimeOffset? EffectiveFrom)>();
        foreach (var (model, priceBody) in body.PriceOverrides ?? [])
        {
            if ((PriceEndpoints.CheckModel(model) ?? (priceBody is null ? GatewayError.InvalidRequest($"'price_overrides.{model}' must be a price object.", "price_overrides") : null)) is { } invalid)
            {
                return invalid.ToResult();
            }

            if (PriceRequestParser.TryParse(model, PriceScope.Plan(id), priceBody!, out var price) is { } wrong)
            {
                return wrong.ToResult();
            }

            overrides.Add((price!, priceBody!.EffectiveFrom));
        }

        var plan = await plans.PutAsync(id, feeMicros, includedMicros, cancellationToken);
        foreach (var (price, effectiveFrom) in overrides)
        {
            await catalog.PutAsync(price, effectiveFrom, cancellationToken);
            await sync.PriceChangedAsync(price.Scope, price.Model, cancellationToken);
        }

        return AdminRequest.Json(await ToResponseAsync(plan, catalog, time, cancellationToken), BillingJsonContext.Default.PlanResponse);
    }

    private static async Task<IResult> GetPlan(string id, PlanCatalog plans, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var plan = TenantEndpoints.TenantId().IsMatch(id) ? await plans.FindAsync(id, cancellationToken) : null;
        return plan is null
            ? GatewayError.NotFound($"No plan '{id}'.").ToResult()
            : AdminRequest.Json(await ToResponseAsync(plan, catalog, time, cancellationToken), BillingJsonContext.Default.PlanResponse);
    }

    private static async Task<IResult> PutTenantPlan(string id, HttpRequest request, TenantCatalog tenants, PlanCatalog plans, PriceCatalog catalog, PricingSync sync, PlanCredits credits, TimeProvider time)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await AdminRequest.ReadAsync(request, BillingJsonContext.Default.TenantPlanRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        if (body!.Plan is { } planId && (!TenantEndpoints.TenantId().IsMatch(planId) || await plans.FindAsync(planId, cancellationToken) is null))
        {
            return GatewayError.InvalidRequest($"No plan '{planId}'; create it with PUT /admin/plans/{{id}} first, or send \"plan\": null.", "plan").ToResult();
        }

        var at = body.EffectiveFrom ?? time.GetUtcNow();
        var current = await CurrentAsync(id, at, catalog, cancellationToken);
        await catalog.PutTenantPricingAsync(id, body.Plan, current.MarkupBp, at, cancellationToken);
        await sync.TenantChangedAsync(id, cancellationToken);
        await credits.GrantAsync(id, cancellationToken);
        return await PricingResultAsync(id, catalog, time, cancellationToken);
    }

    private static async Task<IResult> PutMarkup(string id, HttpRequest request, TenantCatalog tenants, PriceCatalog catalog, PricingSync sync, TimeProvider time)
    {
        var cancellationToken = request.HttpContext.RequestAborted;
        var (body, error) = await AdminRequest.ReadAsync(request, BillingJsonContext.Default.MarkupRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (body!.MarkupPercent is not { } percent || percent < MinMarkup || percent > MaxMarkup || decimal.Round(percent, 2) != percent)
        {
            return GatewayError.InvalidRequest("'markup_percent' must be a number from -100 (free) to 1000 with at most 2 decimals; negative is a discount.", "markup_percent").ToResult();
        }

        if (await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) is { } missing)
        {
            return missing;
        }

        var at = body.EffectiveFrom ?? time.GetUtcNow();
        var current = await CurrentAsync(id, at, catalog, cancellationToken);
        await catalog.PutTenantPricingAsync(id, current.PlanId, (int)(percent * 100), at, cancellationToken);
        await sync.TenantChangedAsync(id, cancellationToken);
        return await PricingResultAsync(id, catalog, time, cancellationToken);
    }

    private static async Task<IResult> GetPricing(string id, TenantCatalog tenants, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
        => await TenantEndpoints.MissingAsync(id, tenants, cancellationToken) ?? await PricingResultAsync(id, catalog, time, cancellationToken);

    private static async Task<TenantPricing> CurrentAsync(string tenantId, DateTimeOffset at, PriceCatalog catalog, CancellationToken cancellationToken)
        => PriceResolver.Build([], await catalog.TenantPricingAsync(tenantId, cancellationToken)).PricingAt(tenantId, at);

    private static async Task<IResult> PricingResultAsync(string tenantId, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var history = await catalog.TenantPricingAsync(tenantId, cancellationToken);
        var now = PriceResolver.Build([], history).PricingAt(tenantId, time.GetUtcNow());
        return AdminRequest.Json(
            new TenantPricingResponse(tenantId, now.PlanId, now.MarkupBp / 100m, [.. history.Select(h => new TenantPricingEntry(h.PlanId, h.MarkupBp / 100m, h.EffectiveFrom))]),
            BillingJsonContext.Default.TenantPricingResponse);
    }

    private static async Task<PlanResponse> ToResponseAsync(Plan plan, PriceCatalog catalog, TimeProvider time, CancellationToken cancellationToken)
    {
        var scope = PriceScope.Plan(plan.Id);
        var resolver = PriceResolver.Build((await catalog.AllAsync(cancellationToken)).Where(p => p.Scope == scope), []);
        var now = time.GetUtcNow();
        var overrides = resolver.Versions.Select(v => v.Model).Distinct(StringComparer.Ordinal)
            .Select(model => resolver.At(scope, model, now))
            .OfType<ModelPrice>()
            .ToDictionary(p => p.Model, PriceRequestParser.ToResponse, StringComparer.Ordinal);
        return new PlanResponse(plan.Id, Money.ToDecimal(plan.MonthlyFeeMicros), Money.ToDecimal(plan.IncludedCreditsMicros), overrides, plan.UpdatedAt);
    }
}
