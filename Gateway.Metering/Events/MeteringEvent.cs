namespace Gateway.Metering.Events;

/// <summary>
/// One client request, metered. Immutable once built; exactly one per request. Field names follow the public
/// <c>/admin/events</c> contract (issue #2); token classes follow USAGE-FORMATS.md §0.
/// </summary>
internal sealed record MeteringEvent
{
    public required Guid EventId { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public required string TenantId { get; init; }

    public required string KeyId { get; init; }

    public required string Provider { get; init; }

    /// <summary>The client-facing route, e.g. <c>/v1/chat/completions</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The model the client asked for.</summary>
    public string? Model { get; init; }

    /// <summary>The model the provider says answered.</summary>
    public string? ServedModel { get; init; }

    public bool Streamed { get; init; }

    public required string Status { get; init; }

    public int HttpStatus { get; init; }

    /// <summary>False for error answers without usage: recorded, never charged.</summary>
    public bool Billable { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long CachedInputTokens { get; init; }

    public long CacheWriteTokens { get; init; }

    public long ReasoningTokens { get; init; }

    public long AudioInputTokens { get; init; }

    public long AudioOutputTokens { get; init; }

    public long TotalTokens { get; init; }

    /// <summary>The part of <see cref="CacheWriteTokens"/> cached for an hour (priced apart).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("cache_write_1h_tokens")]
    public long CacheWrite1hTokens { get; init; }

    /// <summary>Server tool requests (web search, fetch), billed per request.</summary>
    public long ServerToolRequests { get; init; }

    /// <summary><c>provider</c>, <c>estimated</c> or <c>none</c>.</summary>
    public required string UsageSource { get; init; }

    public string? Feature { get; init; }

    public string? Environment { get; init; }

    public string? EndUser { get; init; }

    public string? TraceId { get; init; }

    /// <summary>Other <c>X-Meter-*</c> request headers, name (lower case, without the prefix) → value.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public int LatencyMs { get; init; }

    /// <summary>Time to the first byte sent to the client; null when none was sent.</summary>
    public int? TtftMs { get; init; }

    /// <summary>What the event was charged, in micro-USD (0 when not billable or unpriced).</summary>
    public long CostMicros { get; init; }

    /// <summary>The price version it was rated with; null when no price applied.</summary>
    public int? PriceVersion { get; init; }

    /// <summary>The id of the price row it was rated with (which scope and version); null when none applied.</summary>
    public long? PriceId { get; init; }

    /// <summary>The tenant's tokens of the model earlier in the month when it was rated (its place in the tiers).</summary>
    public long? TierPosition { get; init; }

    /// <summary>The tenant's markup applied, in basis points (negative: a discount).</summary>
    public int? MarkupBp { get; init; }

    /// <summary><c>checked</c> (admitted against the wallet), <c>bypassed</c> (Redis unreachable, failing open) or
    /// <c>off</c> (admission switched off by configuration).</summary>
    public string Admission { get; init; } = "checked";

    /// <summary>Attempts that failed before the provider that answered (fallbacks); null when the first answered.</summary>
    public IReadOnlyList<ProviderAttempt>? Attempts { get; init; }

    /// <summary>The token counts, as the rater takes them.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Usage.TokenUsage Usage => new(InputTokens, OutputTokens, CachedInputTokens, CacheWriteTokens, ReasoningTokens,
        AudioInputTokens, AudioOutputTokens, CacheWrite1hTokens, ServerToolRequests);

    /// <summary>The provider's usage block as sent (JSON), when there was one.</summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(RawJsonConverter))]
    public string? RawUsage { get; init; }
}
