namespace Gateway.Metering.Billing;

/// <summary>The <c>Billing</c> section: how often background billing work runs (each 00:00:00.100 to 1.00:00:00,
/// checked by <see cref="BillingOptionsValidator"/>).</summary>
internal sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>How often expired credit grants are looked for (their remainder leaves the wallet by a ledger entry).</summary>
    public TimeSpan CreditExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often plans' included credits for the current month are granted (idempotent per month).</summary>
    public TimeSpan PlanCreditInterval { get; set; } = TimeSpan.FromMinutes(10);
}
