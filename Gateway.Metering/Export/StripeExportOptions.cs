namespace Gateway.Metering.Export;

/// <summary>Stripe Billing meter events. Bound from <c>Export:Stripe</c>.</summary>
internal sealed class StripeExportOptions
{
    /// <summary>Meter <c>event_name</c> → the event value it receives (see <see cref="EventValues.Names"/>). Empty
    /// (default): one meter, <c>llm_cost_micros</c> ← <c>cost_micros</c>.</summary>
    public Dictionary<string, string> Meters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The meter's <c>customer_mapping.event_payload_key</c>. Default <c>stripe_customer_id</c>.</summary>
    public string CustomerPayloadKey { get; set; } = "stripe_customer_id";

    /// <summary>The meter's <c>value_settings.event_payload_key</c>. Default <c>value</c>.</summary>
    public string ValuePayloadKey { get; set; } = "value";

    /// <summary>Meter events sent at once (Stripe takes one per call). Default 4.</summary>
    public int Concurrency { get; set; } = 4;

    public IReadOnlyDictionary<string, string> MetersOrDefault
        => Meters.Count > 0 ? Meters : new Dictionary<string, string> { ["llm_cost_micros"] = "cost_micros" };
}
