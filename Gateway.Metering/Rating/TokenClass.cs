namespace Gateway.Metering.Rating;

/// <summary>The priced token classes, in the order a request's tokens take their places in the month's tiers.</summary>
internal enum TokenClass
{
    CachedInput,
    CacheWrite,
    CacheWrite1h,
    Input,
    Reasoning,
    Output,
    ServerToolRequests,
}
