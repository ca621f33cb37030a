namespace Gateway.Admission;

internal enum AdmissionVerdict
{
    /// <summary>A hold is placed; the request settles against it.</summary>
    Admitted,

    /// <summary>Refused before the upstream; the error says why.</summary>
    Refused,

    /// <summary>Redis unreachable and failing open: forwarded without a hold.</summary>
    Bypassed,

    /// <summary>Admission switched off by configuration.</summary>
    Off,
}
