using Gateway.Metering.Events;

namespace Gateway.Tests.Export;

/// <summary>Events for export tests: every field set, values differing per event, some text a spreadsheet would run.</summary>
internal static class ExportTestEvents
{
    public static List<MeteringEvent> Make(string tenant, int count, DateTimeOffset start, TimeSpan step, int padding = 0)
        => [.. Enumerable.Range(0, count).Select(i => Make(tenant, i, start + (step * i), padding))];

    public static MeteringEvent Make(string tenant, int i, DateTimeOffset at, int padding = 0)
    {
        at = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero); // Postgres keeps microseconds
        return Make(tenant, i, at, padding, true);
    }

    private static MeteringEvent Make(string tenant, int i, DateTimeOffset at, int padding, bool _) => new()
    {
        EventId = Guid.CreateVersion7(at),
        OccurredAt = at,
        TenantId = tenant,
        KeyId = "key_" + (i % 3),
        Provider = i % 2 == 0 ? "openai" : "anthropic",
        Endpoint = i % 2 == 0 ? "/v1/chat/completions" : "/v1/messages",
        Model = (i % 5) switch
        {
            0 => "=HYPERLINK(\"http://evil\",\"x\")",
            1 => "gpt-4o, \"mini\"",
            2 => null,
            _ => "claude-sonnet-4",
        },
        ServedModel = i % 4 == 0 ? "+cmd|' /C calc'!A0" : "served-" + i,
        Streamed = i % 2 == 1,
        Status = i % 7 == 6 ? EventStatus.UpstreamError : EventStatus.Completed,
        HttpStatus = i % 7 == 6 ? 502 : 200,
        Billable = i % 7 != 6,
        InputTokens = 1000 + i,
        OutputTokens = 200 + (3 * i),
        CachedInputTokens = 100 + i,
        CacheWriteTokens = i,
        CacheWrite1hTokens = i / 2,
        ReasoningTokens = 50 + i,
        AudioInputTokens = i % 3,
        AudioOutputTokens = i % 4,
        ServerToolRequests = i % 2,
        TotalTokens = 1200 + (4 * i),
        UsageSource = i % 3 == 0 ? "estimated" : "provider",
        Feature = i % 3 == 0 ? "@summarize" : "chat\r\nline two",
        Environment = i % 2 == 0 ? "-prod" : null,
        EndUser = "user " + i + (padding > 0 ? new string('x', padding) : ""),
        TraceId = i % 2 == 0 ? "\ttrace" : "trace-" + i,
        Metadata = i % 2 == 0 ? new Dictionary<string, string> { ["team"] = "a,b", ["note"] = "say \"hi\"" } : null,
        LatencyMs = 10 + i,
        TtftMs = i % 3 == 0 ? null : 5 + i,
        RawUsage = i % 2 == 0 ? $$"""{"prompt_tokens":{{1000 + i}},"completion_tokens":{{200 + (3 * i)}}}""" : null,
        CostMicros = 12_345 + (17 * i),
        PriceVersion = i % 2 == 0 ? 3 : null,
        Admission = i % 5 == 4 ? "bypassed" : "checked",
        Attempts = i % 4 == 1 ? [new ProviderAttempt("flaky", 503, 40)] : null,
    };
}
