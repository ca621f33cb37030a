using System.Globalization;
using System.Text;
using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>
/// Events as CSV (RFC 4180): a header row of the event's JSON field names, one row per event, CRLF line ends, a cell
/// quoted when it holds a comma, quote, CR or LF (quotes doubled). A text cell that starts with <c>=</c>, <c>+</c>,
/// <c>-</c>, <c>@</c>, tab or CR gets a leading <c>'</c> so a spreadsheet shows it as text instead of running it as a
/// formula (OWASP "CSV injection"); model names, features and metadata come from clients. Empty cell: null.
/// </summary>
internal static class EventCsvFormatter
{
    public const string Header =
        "event_id,occurred_at,tenant_id,key_id,provider,endpoint,model,served_model,streamed,status,http_status,billable,"
        + "input_tokens,output_tokens,cached_input_tokens,cache_write_tokens,reasoning_tokens,audio_input_tokens,"
        + "audio_output_tokens,total_tokens,cache_write_1h_tokens,server_tool_requests,usage_source,feature,environment,"
        + "end_user,trace_id,metadata,latency_ms,ttft_ms,cost_micros,price_version,price_id,tier_position,markup_bp,admission,"
        + "attempts,raw_usage\r\n";

    public static void AppendRow(StringBuilder line, MeteringEvent e)
    {
        line.Append(e.EventId.ToString("D")).Append(',');
        line.Append(e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(',');
        Text(line, e.TenantId);
        Text(line, e.KeyId);
        Text(line, e.Provider);
        Text(line, e.Endpoint);
        Text(line, e.Model);
        Text(line, e.ServedModel);
        line.Append(e.Streamed ? "true" : "false").Append(',');
        Text(line, e.Status);
        Number(line, e.HttpStatus);
        line.Append(e.Billable ? "true" : "false").Append(',');
        Number(line, e.InputTokens);
        Number(line, e.OutputTokens);
        Number(line, e.CachedInputTokens);
        Number(line, e.CacheWriteTokens);
        Number(line, e.ReasoningTokens);
        Number(line, e.AudioInputTokens);
        Number(line, e.AudioOutputTokens);
        Number(line, e.TotalTokens);
        Number(line, e.CacheWrite1hTokens);
        Number(line, e.ServerToolRequests);
        Text(line, e.UsageSource);
        Text(line, e.Feature);
        Text(line, e.Environment);
        Text(line, e.EndUser);
        Text(line, e.TraceId);
        Text(line, e.Metadata is null ? null : System.Text.Json.JsonSerializer.Serialize(e.Metadata, Sink.SinkJsonContext.Default.IReadOnlyDictionaryStringString));
        Number(line, e.LatencyMs);
        Number(line, e.TtftMs);
        Number(line, e.CostMicros);
        Number(line, e.PriceVersion);
        Number(line, e.PriceId);
        Number(line, e.TierPosition);
        Number(line, e.MarkupBp);
        Text(line, e.Admission);
        Text(line, e.Attempts is null ? null : System.Text.Json.JsonSerializer.Serialize(e.Attempts, Sink.SinkJsonContext.Default.IReadOnlyListProviderAttempt));
        Text(line, e.RawUsage, last: true);
        line.Append("\r\n");
    }

    /// <summary>One text cell, neutralised and quoted as needed, then the separator.</summary>
    public static void Text(StringBuilder line, string? value, bool last = false)
    {
        if (value is { Length: > 0 })
        {
            var formula = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';
            if (formula || value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                line.Append('"');
                if (formula)
                {
                    line.Append('\'');
                }

                line.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                line.Append(value);
            }
        }

        if (!last)
        {
            line.Append(',');
        }
    }

    private static void Number(StringBuilder line, long? value)
    {
        if (value is { } number)
        {
            line.Append(number.ToString(CultureInfo.InvariantCulture));
        }

        line.Append(',');
    }
}
