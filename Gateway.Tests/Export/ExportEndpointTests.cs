using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Npgsql;

namespace Gateway.Tests.Export;

/// <summary><c>GET /admin/export</c> through the real gateway: CSV and JSONL equal to the stored events, filters,
/// bad input refused in the OpenAI shape, and a large range streamed while it is read.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ExportEndpointTests(GatewayFixture fixture)
{
    private static readonly string[] Fields =
    [
        "event_id", "occurred_at", "tenant_id", "key_id", "provider", "endpoint", "model", "served_model", "streamed",
        "status", "http_status", "billable", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens",
        "reasoning_tokens", "audio_input_tokens", "audio_output_tokens", "total_tokens", "cache_write_1h_tokens",
        "server_tool_requests", "usage_source", "feature", "environment", "end_user", "trace_id", "metadata", "latency_ms",
        "ttft_ms", "cost_micros", "price_version", "price_id", "tier_position", "markup_bp", "admission", "attempts", "raw_usage",
    ];

    private GatewayHost Gateway => fixture.Simulated;

    [Fact]
    public async Task Jsonl_EachLineIsAStoredEventInTheEventsApiShape()
    {
        var (tenant, start, events) = await StoreAsync(40);

        var response = await Gateway.Admin.GetAsync($"/admin/export?from={Iso(start)}&to={Iso(start.AddHours(1))}&format=jsonl&tenant={tenant}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"events_{start.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}_{start.AddHours(1).UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.jsonl", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", body);
        var lines = body[..^1].Split('\n');
        var api = await ApiEventsAsync(tenant);
        Assert.Equal(events.Select(e => e.EventId), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event_id").GetGuid()));
        foreach (var line in lines)
        {
            var id = JsonDocument.Parse(line).RootElement.GetProperty("event_id").GetString()!;
            Assert.Equal(api[id].GetRawText(), line); // byte for byte what /admin/events says
        }

        var sample = JsonSerializer.Deserialize(lines[1], EventJsonContext.Default.MeteringEvent)!;
        Assert.Equal(events[1] with { Metadata = null, Attempts = null }, sample with { Metadata = null, Attempts = null });
        Assert.Equal(events[1].Attempts, sample.Attempts);
    }

    [Fact]
    public async Task Csv_RowsEqualStoredEvents_Rfc4180QuotedAndFormulasNeutralised()
    {
        var (tenant, start, events) = await StoreAsync(20);

        var response = await Gateway.Admin.GetAsync($"/admin/export?from={Iso(start)}&to={Iso(start.AddHours(1))}&format=csv&tenant={tenant}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\r\n", body);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"", body, StringComparison.Ordinal);
        var rows = ParseCsv(body);
        Assert.Equal(Fields, rows[0]);
        Assert.Equal(events.Count, rows.Count - 1);
        var api = await ApiEventsAsync(tenant);
        foreach (var row in rows.Skip(1))
        {
            Assert.Equal(Fields.Length, row.Count);
            var json = api[row[0]];
            for (var i = 0; i < Fields.Length; i++)
            {
                AssertCell(Fields[i], json.GetProperty(Fields[i]), row[i]);
            }
        }

        var first = rows[1];
        Assert.Equal("'=HYPERLINK(\"http://evil\",\"x\")", first[Array.IndexOf(Fields, "model")]);
        Assert.Equal("'+cmd|' /C calc'!A0", first[Array.IndexOf(Fields, "served_model")]);
        Assert.Equal("'@summarize", first[Array.IndexOf(Fields, "feature")]);
        Assert.Equal("'-prod", first[Array.IndexOf(Fields, "environment")]);
        Assert.Equal("'\ttrace", first[Array.IndexOf(Fields, "trace_id")]);
        Assert.Equal("chat\r\nline two", rows[2][Array.IndexOf(Fields, "feature")]);
        Assert.Equal("gpt-4o, \"mini\"", rows[2][Array.IndexOf(Fields, "model")]);
    }

    [Fact]
    public async Task FromTo_HalfOpenRangeOfOccurredAt_OffsetsAccepted()
    {
        var (tenant, start, events) = await StoreAsync(10);
        var from = start.AddMinutes(3).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

        // '+02:00' sent unencoded arrives as ' 02:00' and is still read as an offset.
        var body = await Gateway.Admin.GetStringAsync($"/admin/export?from={from}&to={Iso(events[7].OccurredAt)}&tenant={tenant}");

        Assert.Equal(events.Skip(3).Take(4).Select(e => e.EventId), Ids(body));
    }

    [Fact]
    public async Task Tenant_FiltersToThatTenant_WithoutIt_EveryTenantInTenantThenTimeOrder()
    {
        var (a, start, first) = await StoreAsync(5);
        var b = "a-" + Guid.NewGuid().ToString("N")[..16]; // sorts before every "t-" tenant
        var second = ExportTestEvents.Make(b, 5, start.AddSeconds(10), TimeSpan.FromMinutes(1));
        await WriteAsync(second);
        var range = $"from={Iso(start)}&to={Iso(start.AddHours(1))}";

        var onlyA = await Gateway.Admin.GetStringAsync($"/admin/export?{range}&tenant={a}");
        var all = await Gateway.Admin.GetStringAsync($"/admin/export?{range}");

        Assert.Equal(first.Select(e => e.EventId), Ids(onlyA));
        Assert.Equal(second.Concat(first).Select(e => e.EventId), Ids(all));
    }

    [Fact]
    public async Task NoFromOrTo_TheLastDay()
    {
        var tenant = TestServices.NewTenantId();
        var now = DateTimeOffset.UtcNow;
        var recent = ExportTestEvents.Make(tenant, 0, now.AddHours(-2));
        var old = ExportTestEvents.Make(tenant, 1, now.AddDays(-2));
        await WriteAsync([recent, old]);

        var body = await Gateway.Admin.GetStringAsync($"/admin/export?tenant={tenant}");

        Assert.Equal([recent.EventId], Ids(body));
    }

    [Fact]
    public async Task ExtremeTimes_AnsweredNotFailed()
    {
        var early = await Gateway.Admin.GetAsync("/admin/export?to=0001-01-02T12:00:00Z");
        var earliest = await Gateway.Admin.GetAsync("/admin/export?to=0001-01-01");
        var late = await Gateway.Admin.GetAsync("/admin/export?from=9999-12-31T23:59:59Z");

        Assert.Equal(HttpStatusCode.OK, early.StatusCode);
        Assert.Equal("", await early.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, earliest.StatusCode); // nothing can be before it
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
    }

    [Theory]
    [InlineData("format=xml", "format")]
    [InlineData("format=CSV", "format")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=01/02/2025", "from")]
    [InlineData("to=2025-13-01", "to")]
    [InlineData("to=1735689600", "to")]
    [InlineData("from=2025-02-01&to=2025-01-01", "from")]
    [InlineData("from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from")]
    [InlineData("from=2024-01-01&to=2025-01-01", "to")]
    [InlineData("tenant=Bad!", "tenant")]
    public async Task BadQuery_400InTheOpenAiShapeNamingTheParameter(string query, string param)
    {
        var response = await Gateway.Admin.GetAsync("/admin/export?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await Functional.BadInputTests.AssertOpenAiError(response, "invalid_request");
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task NoAdminToken_401()
    {
        using var client = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };

        var response = await client.GetAsync("/admin/export?format=csv");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task LargeRange_StreamedAsRead_NeverBuffered(string format)
    {
        const int count = 8_000; // ~1.3 KB a row: 10 MB, more than the server's send buffer (4 MB at most) and ours (32 KB)
        var tenant = TestServices.NewTenantId();
        var start = Window();
        var events = ExportTestEvents.Make(tenant, count, start, TimeSpan.FromMilliseconds(100), padding: 1000);
        await WriteAsync(events);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/export?from={Iso(start)}&to={Iso(start.AddHours(1))}&format={format}&tenant={tenant}");
        using var client = SmallBufferClient();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Null(response.Content.Headers.ContentLength);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<string> { (await reader.ReadLineAsync())! }; // the CSV header, or the first event

        // We have read one line and stop reading: a streaming server is now blocked mid-range, its cursor open.
        Assert.True(await CursorOpenAsync(), "the export's cursor was not open while the client held the response");

        var rest = await reader.ReadToEndAsync();
        var ids = format == "csv"
            ? ParseCsv(lines[0] + "\r\n" + rest).Skip(1).Select(row => Guid.Parse(row[0]))
            : Ids(rest).Prepend(Ids(lines[0]).Single());
        Assert.Equal(events.Select(e => e.EventId), ids);
    }

    /// <summary>A client whose socket takes at most 32 KB unread, so a server that streams must wait for it.</summary>
    private HttpClient SmallBufferClient()
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 32 * 1024 };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(Gateway.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestServices.AdminToken);
        return client;
    }

    private static async Task<bool> CursorOpenAsync()
    {
        await using var postgres = NpgsqlDataSource.Create(TestServices.Postgres);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            await using var command = postgres.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE 'FETCH FORWARD % FROM events_export'");
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    private static void AssertCell(string field, JsonElement expected, string cell)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Null:
                Assert.Equal("", cell);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.Equal(expected.GetBoolean() ? "true" : "false", cell);
                break;
            case JsonValueKind.Number:
                Assert.Equal(expected.GetRawText(), cell);
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                Assert.True(JsonElement.DeepEquals(expected, JsonDocument.Parse(cell).RootElement), $"{field}: {cell}");
                break;
            case JsonValueKind.String when field == "occurred_at":
                Assert.Equal(DateTimeOffset.Parse(expected.GetString()!, CultureInfo.InvariantCulture), DateTimeOffset.Parse(cell, CultureInfo.InvariantCulture));
                break;
            default:
                var text = expected.GetString()!;
                Assert.Equal(text.Length > 0 && "=+-@\t\r".Contains(text[0]) ? "'" + text : text, cell);
                break;
        }
    }

    /// <summary>RFC 4180, independently of the gateway's writer.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"' && cell.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                Assert.False(c is '"' or '\r' or '\n', $"unquoted {(int)c} at {i}");
                cell.Append(c);
            }
        }

        Assert.Empty(row);
        return rows;
    }

    private async Task<Dictionary<string, JsonElement>> ApiEventsAsync(string tenant)
    {
        var page = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/events?tenant={tenant}&limit=1000");
        return page.GetProperty("data").EnumerateArray().ToDictionary(e => e.GetProperty("event_id").GetString()!, e => e.Clone());
    }

    private static IEnumerable<Guid> Ids(string jsonl)
        => jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event_id").GetGuid());

    private static async Task<(string Tenant, DateTimeOffset Start, List<MeteringEvent> Events)> StoreAsync(int count)
    {
        var tenant = TestServices.NewTenantId();
        var start = Window();
        var events = ExportTestEvents.Make(tenant, count, start, TimeSpan.FromMinutes(1));
        await WriteAsync(events);
        return (tenant, start, events);
    }

    private static async Task WriteAsync(IReadOnlyList<MeteringEvent> events)
    {
        await using var postgres = NpgsqlDataSource.Create(TestServices.Postgres);
        await new PostgresEventWriter(postgres).WriteAsync(events, CancellationToken.None);
    }

    /// <summary>A past hour no other test writes events in, so a range without a tenant sees only this test's.</summary>
    private static DateTimeOffset Window()
        => new DateTimeOffset(2012, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Random.Shared.Next(0, 24 * 365 * 7)).AddMilliseconds(123.456);

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}
