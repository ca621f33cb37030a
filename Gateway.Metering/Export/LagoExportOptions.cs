namespace Gateway.Metering.Export;

/// <summary>Lago events. Bound from <c>Export:Lago</c>.</summary>
internal sealed class LagoExportOptions
{
    /// <summary>The billable metric <c>code</c>. Default <c>llm_usage</c>.</summary>
    public string Code { get; set; } = "llm_usage";

    /// <summary>The field the customer goes in: <c>external_subscription_id</c> (default) or
    /// <c>external_customer_id</c>.</summary>
    public string CustomerField { get; set; } = "external_subscription_id";
}
