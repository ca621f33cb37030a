namespace Gateway.Metering.Export;

/// <summary>What a target's answer means for the events it was about.</summary>
internal enum Delivery
{
    /// <summary>Stored (2xx), or known already (a duplicate the target refuses by id).</summary>
    Accepted,

    /// <summary>Refused for good because of the events themselves (400, 422 and other 4xx): sending again cannot help.</summary>
    Rejected,

    /// <summary>Not stored, and sending again can: 5xx, 429, 408, 409, a timeout, an unreachable target; also 401, 403
    /// and 404, a wrong key or endpoint that no event can be blamed for.</summary>
    Retry,
}
