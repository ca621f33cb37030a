using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Errors;
using Gateway.Metering.Export;

namespace Gateway.Admin;

/// <summary>
/// <c>GET /admin/export?from=&amp;to=&amp;format=csv|jsonl&amp;tenant=</c>: raw events with occurred_at in [from, to),
/// streamed as they are read (a page of rows at a time from a server-side cursor, flushed to the client after each
/// page; never the whole range in memory). Ordered by tenant, occurred_at, event_id.
/// </summary>
internal static partial class ExportEndpoints
{
    /// <summary>The longest range one call may ask for (a quarter).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(92);

    /// <summary>The range when <c>from</c> is not given: this long before <c>to</c>.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromDays(1);

    public static RouteGroupBuilder MapExportEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapGet("/export", Export);
        return admin;
    }

    private static IResult Export(HttpRequest request, EventRangeReader reader, TimeProvider time)
    {
        var query = request.Query;
        var format = query["format"].ToString() is { Length: > 0 } f ? f : "jsonl";
        if (format is not ("csv" or "jsonl"))
        {
            return GatewayError.InvalidRequest("Query parameter 'format' must be 'csv' or 'jsonl'.", "format").ToResult();
        }

        var tenant = query["tenant"].ToString() is { Length: > 0 } t ? t : null;
        if (tenant is not null && !TenantEndpoints.TenantId().IsMatch(tenant))
        {
            return GatewayError.InvalidRequest("Query parameter 'tenant' must be a tenant id.", "tenant").ToResult();
        }

        DateTimeOffset to = time.GetUtcNow();
        if (query["to"].ToString() is { Length: > 0 } toText && !TryParseTime(toText, out to))
        {
            return GatewayError.InvalidRequest("Query parameter 'to' must be an ISO-8601 time, e.g. 2025-01-31T00:00:00Z.", "to").ToResult();
        }

        var from = to.UtcTicks >= DefaultRange.Ticks ? to - DefaultRange : DateTimeOffset.MinValue;
        if (query["from"].ToString() is { Length: > 0 } fromText && !TryParseTime(fromText, out from))
        {
            return GatewayError.InvalidRequest("Query parameter 'from' must be an ISO-8601 time, e.g. 2025-01-01T00:00:00Z.", "from").ToResult();
        }

        if (from >= to)
        {
            return GatewayError.InvalidRequest("Query parameter 'from' must be before 'to'.", "from").ToResult();
        }

        if (to - from > MaxRange)
        {
            return GatewayError.InvalidRequest($"The range from 'from' to 'to' must be at most {MaxRange.TotalDays} days; export longer periods in parts.", "to").ToResult();
        }

        return new StreamResult(reader, from, to, tenant, format == "csv");
    }

    /// <summary>ISO-8601 date or date-time; no offset means UTC. A '+' of an offset that arrived unencoded (a space
    /// after query decoding) is read as '+'.</summary>
    internal static bool TryParseTime(string text, out DateTimeOffset value)
    {
        value = default;
        text = text.Replace(' ', '+');
        return IsoTime().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$")]
    private static partial Regex IsoTime();

    private sealed class StreamResult(EventRangeReader reader, DateTimeOffset from, DateTimeOffset to, string? tenant, bool csv) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            var abort = context.RequestAborted;
            response.ContentType = csv ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson; charset=utf-8";
            response.Headers.ContentDisposition = $"attachment; filename=\"events_{from.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}_{to.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{(csv ? "csv" : "jsonl")}\"";
            var body = response.BodyWriter;
            var line = new StringBuilder(1024);
            if (csv)
            {
                Write(body, EventCsvFormatter.Header);
            }

            using var json = new Utf8JsonWriter(body);
            var rows = 0;
            await foreach (var e in reader.ReadAsync(from, to, tenant, abort))
            {
                if (csv)
                {
                    line.Clear();
                    EventCsvFormatter.AppendRow(line, e);
                    Write(body, line);
                }
                else
                {
                    json.Reset(body);
                    JsonSerializer.Serialize(json, e, AdminJsonContext.Default.MeteringEvent);
                    json.Flush();
                    body.Write("\n"u8);
                }

                if (++rows % EventRangeReader.PageSize == 0)
                {
                    await body.FlushAsync(abort); // one page out before the next is fetched; waits while the client is slow
                }
            }

            await body.FlushAsync(abort);
        }

        private static void Write(System.IO.Pipelines.PipeWriter body, StringBuilder text)
        {
            foreach (var chunk in text.GetChunks())
            {
                Write(body, chunk.Span);
            }
        }

        private static void Write(System.IO.Pipelines.PipeWriter body, ReadOnlySpan<char> text)
        {
            var span = body.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            body.Advance(Encoding.UTF8.GetBytes(text, span));
        }
    }
}
