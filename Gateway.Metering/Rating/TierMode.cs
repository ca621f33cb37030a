namespace Gateway.Metering.Rating;

/// <summary>How tiers apply to the tenant's tokens of a model in the billing month.</summary>
internal enum TierMode
{
    /// <summary>Each token at the tier its place in the month falls in; a request crossing a boundary is split.</summary>
    Graduated,

    /// <summary>All the month's tokens at the tier the month's total reaches (trued up on the invoice).</summary>
    Volume,
}
