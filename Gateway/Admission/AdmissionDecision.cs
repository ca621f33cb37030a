using Gateway.Errors;
using Gateway.Metering.Rating;
using Gateway.Metering.Wallets;

namespace Gateway.Admission;

/// <summary>What admission decided for a request, and what settling it needs.</summary>
internal sealed record AdmissionDecision(
    AdmissionVerdict Verdict,
    GatewayError? Error = null,
    ModelPrice? Price = null,
    long HoldMicros = 0,
    long ReservedTokens = 0,
    long InputEstimate = 0,
    DateTimeOffset AdmittedAt = default,
    AdmissionResult Result = default,
    int MarkupBp = 0,
    long TierPosition = 0)
{
    public static AdmissionDecision Off { get; } = new(AdmissionVerdict.Off);

    public static AdmissionDecision Refuse(GatewayError error) => new(AdmissionVerdict.Refused, error);

    /// <summary>The event's <c>admission</c> field.</summary>
    public string EventLabel => Verdict switch
    {
        AdmissionVerdict.Admitted => "checked",
        AdmissionVerdict.Bypassed => "bypassed",
        _ => "off",
    };
}
