using System.ComponentModel.DataAnnotations;

namespace Gateway.Metering.Billing;

/// <summary>The <c>Billing</c> section: how often background billing work runs.</summary>
internal sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>How often expired credit grants are looked for (their remainder leaves the wallet by a ledger entry).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan CreditExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often plans' included credits for the current month are granted (idempotent per month).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan PlanCreditInterval { get; set; } = TimeSpan.FromMinutes(10);
}
