namespace Gateway.Metering.Export;

/// <summary>Where the exporter sends events (<c>Export:Target</c>).</summary>
internal enum ExportTarget
{
    /// <summary>No exporter runs (the default).</summary>
    None,

    /// <summary>Stripe Billing meter events, <c>POST /v1/billing/meter_events</c>.</summary>
    Stripe,

    /// <summary>Lago, <c>POST /api/v1/events/batch</c>.</summary>
    Lago,

    /// <summary>OpenMeter, CloudEvents to <c>POST /api/v1/events</c>.</summary>
    OpenMeter,
}
