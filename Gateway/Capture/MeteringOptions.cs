namespace Gateway.Capture;

/// <summary>Whether requests are metered at all. Bound from <c>Metering</c>.</summary>
internal sealed class MeteringOptions
{
    public const string Section = "Metering";

    /// <summary>Off: a request is authenticated, routed by its model and forwarded by YARP, and that is all: no
    /// admission, no capture of the answer, no event, no Redis or Postgres on its way (a bare proxy, the baseline of
    /// the comparison benchmark). Needs <c>Admission:Enabled=false</c> as well, so that turning metering off cannot
    /// silently turn off wallet checks. Default on.</summary>
    public bool Enabled { get; set; } = true;
}
