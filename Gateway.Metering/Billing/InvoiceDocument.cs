namespace Gateway.Metering.Billing;

/// <summary>A tenant's invoice for one period: open (computed from the events' current ratings whenever read) or
/// closed (frozen as it was at closing).</summary>
internal sealed record InvoiceDocument(
    string Object,
    string TenantId,
    string Period,
    string Status,
    string Currency,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    string? Plan,
    IReadOnlyList<InvoiceLine> Lines,
    long UsageEvents,
    decimal Usage,
    decimal Meters,
    decimal Fees,
    decimal CreditsApplied,
    decimal Total,
    long TotalMicros,
    DateTimeOffset? ClosedAt = null);
