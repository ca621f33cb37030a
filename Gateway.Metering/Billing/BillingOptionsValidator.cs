using Microsoft.Extensions.Options;

namespace Gateway.Metering.Billing;

/// <summary>Stops the start on a <c>Billing</c> interval out of range, naming the key. (A [Range] over TimeSpan
/// needs reflection to parse its bounds, which the Native AOT binary does not have.)</summary>
internal sealed class BillingOptionsValidator : IValidateOptions<BillingOptions>
{
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Longest = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        List<string>? failures = null;
        Check(options.CreditExpiryInterval, nameof(BillingOptions.CreditExpiryInterval), ref failures);
        Check(options.PlanCreditInterval, nameof(BillingOptions.PlanCreditInterval), ref failures);
        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(TimeSpan value, string key, ref List<string>? failures)
    {
        if (value < Shortest || value > Longest)
        {
            (failures ??= []).Add($"{BillingOptions.Section}:{key} must be 00:00:00.100 to 1.00:00:00 (was {value}).");
        }
    }
}
