using Gateway.Metering.Rating;
using Gateway.Metering.Wallets;

namespace Gateway.Metering.Billing;

/// <summary>
/// A plan's included credits: granted to the tenant's wallet once per billing period (idempotency key
/// <c>plan:&lt;plan&gt;:&lt;period&gt;</c>), priority 0 and expiring at the period's end, so they are used before
/// any bought credit and do not carry over.
/// </summary>
internal sealed class PlanCredits(PlanCatalog plans, PriceBook book, WalletPosting posting, TimeProvider time)
{
    public async Task<WalletCredit?> GrantAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (book.Pricing(tenantId).PlanId is not { } planId || await plans.FindAsync(planId, cancellationToken) is not { IncludedCreditsMicros: > 0 } plan)
        {
            return null;
        }

        var period = BillingPeriod.Of(now);
        var (credit, _) = await posting.CreditAsync(
            tenantId, plan.IncludedCreditsMicros, $"plan:{plan.Id}:{period.Name}", period.End, $"credits included in plan {plan.Id} for {period.Name}", 0, cancellationToken);
        return credit;
    }
}
