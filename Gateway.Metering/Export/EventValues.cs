using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>The numbers of an event a target can be sent, by name (the event's JSON field names, plus
/// <c>requests</c>, always 1). Token classes overlap: input includes cached and cache-write tokens, output includes
/// reasoning; <c>cost_micros</c> is the gateway's own rating, in micro-USD.</summary>
internal static class EventValues
{
    public static readonly string[] Names =
    [
        "cost_micros", "input_tokens", "output_tokens", "total_tokens", "cached_input_tokens", "cache_write_tokens",
        "cache_write_1h_tokens", "reasoning_tokens", "audio_input_tokens", "audio_output_tokens", "server_tool_requests",
        "requests",
    ];

    public static long Get(MeteringEvent e, string name) => name switch
    {
        "cost_micros" => e.CostMicros,
        "input_tokens" => e.InputTokens,
        "output_tokens" => e.OutputTokens,
        "total_tokens" => e.TotalTokens,
        "cached_input_tokens" => e.CachedInputTokens,
        "cache_write_tokens" => e.CacheWriteTokens,
        "cache_write_1h_tokens" => e.CacheWrite1hTokens,
        "reasoning_tokens" => e.ReasoningTokens,
        "audio_input_tokens" => e.AudioInputTokens,
        "audio_output_tokens" => e.AudioOutputTokens,
        "server_tool_requests" => e.ServerToolRequests,
        "requests" => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not an event value."),
    };
}
