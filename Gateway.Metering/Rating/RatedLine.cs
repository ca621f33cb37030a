namespace Gateway.Metering.Rating;

/// <summary>Part of a rated event: <see cref="Quantity"/> tokens (or server tool requests) of one class in one tier, at
/// <see cref="UnitPrice"/> micro-USD per million tokens (per request for server tools), before markup.</summary>
internal readonly record struct RatedLine(TokenClass Class, int Tier, long Quantity, long UnitPrice);
