using Microsoft.Extensions.Options;

namespace Gateway.Metering.Export;

/// <summary>Stops the start on a bad <c>Export</c> setting, naming the key. With no target, nothing else is checked.</summary>
internal sealed class ExportOptionsValidator : IValidateOptions<ExportOptions>
{
    public static readonly string[] LagoCustomerFields = ["external_subscription_id", "external_customer_id"];

    public ValidateOptionsResult Validate(string? name, ExportOptions o)
    {
        if (o.Target == ExportTarget.None)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add(message);
            }
        }

        Require(
            string.IsNullOrEmpty(o.Endpoint) || (Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.UserInfo)),
            "Export:Endpoint must be an absolute http or https URL without credentials (put the key in Export:ApiKey).");
        Require(o.Target == ExportTarget.OpenMeter || !string.IsNullOrWhiteSpace(o.ApiKey), $"Export:ApiKey is required for Export:Target {o.Target}.");
        Require(o.Interval > TimeSpan.Zero, "Export:Interval must be more than 0.");
        Require(o.Lag >= TimeSpan.Zero, "Export:Lag must not be negative.");
        Require(o.Timeout > TimeSpan.Zero, "Export:Timeout must be more than 0.");
        Require(o.RetryDelay > TimeSpan.Zero && o.MaxRetryDelay >= o.RetryDelay, "Export:RetryDelay must be more than 0 and at most Export:MaxRetryDelay.");
        Require(o.CursorName.Length <= 100, "Export:Cursor must be at most 100 characters.");
        Require(o.Tenants.All(t => !string.IsNullOrWhiteSpace(t)), "Export:Tenants must not hold empty ids.");
        Require(o.Customers.Values.All(c => !string.IsNullOrWhiteSpace(c)), "Export:Customers values must not be empty.");

        switch (o.Target)
        {
            case ExportTarget.Stripe:
                foreach (var (eventName, value) in o.Stripe.MetersOrDefault)
                {
                    Require(eventName.Length is > 0 and <= 100, $"Export:Stripe:Meters:{eventName} must name a meter event_name of 1 to 100 characters.");
                    Require(EventValues.Names.Contains(value), $"Export:Stripe:Meters:{eventName} must be one of: {string.Join(", ", EventValues.Names)} (was '{value}').");
                }

                Require(!string.IsNullOrWhiteSpace(o.Stripe.CustomerPayloadKey), "Export:Stripe:CustomerPayloadKey must be set.");
                Require(!string.IsNullOrWhiteSpace(o.Stripe.ValuePayloadKey), "Export:Stripe:ValuePayloadKey must be set.");
                Require(o.Stripe.Concurrency is >= 1 and <= 64, "Export:Stripe:Concurrency must be 1 to 64.");
                break;
            case ExportTarget.Lago:
                Require(!string.IsNullOrWhiteSpace(o.Lago.Code), "Export:Lago:Code must be set (the billable metric code).");
                Require(LagoCustomerFields.Contains(o.Lago.CustomerField), $"Export:Lago:CustomerField must be one of: {string.Join(", ", LagoCustomerFields)}.");
                break;
            case ExportTarget.OpenMeter:
                Require(!string.IsNullOrWhiteSpace(o.OpenMeter.Source), "Export:OpenMeter:Source must be set.");
                Require(!string.IsNullOrWhiteSpace(o.OpenMeter.Type), "Export:OpenMeter:Type must be set.");
                break;
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
