namespace Gateway.Metering.Events;

/// <summary>An attempt that reached a provider and failed (429, 5xx, timeout) before a fallback answered.</summary>
internal sealed record ProviderAttempt(string Provider, int HttpStatus, int LatencyMs);
