using Microsoft.Extensions.Options;

namespace Gateway.Metering.Alerts;

/// <summary>Refuses a bad <c>Alerts</c> section at start, naming the key.</summary>
internal sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var failures = new List<string>();
        Between(failures, "Interval", options.Interval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Between(failures, "SpikeCheckInterval", options.SpikeCheckInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Between(failures, "DeliveryTimeout", options.DeliveryTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Between(failures, "RetryDelay", options.RetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        Between(failures, "MaxRetryDelay", options.MaxRetryDelay, options.RetryDelay, TimeSpan.FromDays(7));
        if (options.MaxAttempts is < 1 or > 100)
        {
            failures.Add($"{AlertOptions.Section}:MaxAttempts must be 1 to 100.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Between(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{AlertOptions.Section}:{key} must be from {min} to {max}.");
        }
    }
}
