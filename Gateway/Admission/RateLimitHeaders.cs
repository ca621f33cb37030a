using System.Globalization;
using Gateway.Metering.Quotas;
using Gateway.Metering.Rating;

namespace Gateway.Admission;

/// <summary>
/// The tenant's own limits on a successful answer, in OpenAI's header names, replacing any the provider sent (those
/// describe the gateway's provider account, not the tenant), plus <c>X-Gateway-Balance</c>: available USD after the hold.
/// </summary>
internal static class RateLimitHeaders
{
    private static readonly string[] ProviderHeaders =
    [
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    ];

    public static void Apply(IHeaderDictionary headers, AdmissionDecision decision)
    {
        if (decision.Verdict != AdmissionVerdict.Admitted)
        {
            return;
        }

        foreach (var name in ProviderHeaders)
        {
            headers.Remove(name);
        }

        var result = decision.Result;
        var reset = Math.Ceiling(QuotaWindow.At(decision.AdmittedAt).MinuteLeft.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        if (result.RequestLimit >= 0)
        {
            headers["x-ratelimit-limit-requests"] = result.RequestLimit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-requests"] = Math.Max(0, result.RequestsLeft).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = reset;
        }

        if (result.TokenLimit >= 0)
        {
            headers["x-ratelimit-limit-tokens"] = result.TokenLimit.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = Math.Max(0, result.TokensLeft).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = reset;
        }

        headers["X-Gateway-Balance"] = Money.Format(result.AvailableMicros);
    }
}
