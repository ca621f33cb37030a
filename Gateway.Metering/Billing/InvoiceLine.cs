namespace Gateway.Metering.Billing;

/// <summary>
/// One invoice line. <c>type</c>: plan_fee, usage (one model × token class × price version × tier), volume_true_up,
/// rounding (per-request rounding, at most half a micro-dollar per request), meter, credits_applied. Usage lines name
/// the price row (<see cref="PriceId"/>, scope, version) and the tier, so each traces back to its events.
/// </summary>
internal sealed record InvoiceLine(
    string Type,
    string Description,
    decimal Quantity,
    string Unit,
    decimal UnitPrice,
    decimal Amount,
    long AmountMicros,
    string? Model = null,
    string? TokenClass = null,
    int? Tier = null,
    long? PriceId = null,
    string? PriceScope = null,
    int? PriceVersion = null,
    int? MarkupBp = null,
    string? Meter = null,
    long? Events = null);
