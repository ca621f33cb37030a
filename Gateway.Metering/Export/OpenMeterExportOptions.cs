namespace Gateway.Metering.Export;

/// <summary>OpenMeter CloudEvents. Bound from <c>Export:OpenMeter</c>.</summary>
internal sealed class OpenMeterExportOptions
{
    /// <summary>CloudEvents <c>source</c>. OpenMeter deduplicates on (id, source): keep it stable. Default
    /// <c>llm-gateway</c>.</summary>
    public string Source { get; set; } = "llm-gateway";

    /// <summary>CloudEvents <c>type</c>, which meters match on. Default <c>llm_usage</c>.</summary>
    public string Type { get; set; } = "llm_usage";
}
