namespace Gateway.Metering.Rating;

/// <summary>The price that applies to one tenant's request, and the tenant's markup on it (0 for its own contract
/// price, which is already the negotiated one).</summary>
internal readonly record struct ResolvedPrice(ModelPrice Price, int MarkupBp);
