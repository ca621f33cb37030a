using Dapper;
using Gateway.Metering.Aggregation;
using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Integration;

/// <summary>
/// Usage served from the rollups equals a scan of the raw events, for random events and random questions (a property
/// test; the seed is in the failure message). Events are written the way the flusher writes them, in several batches
/// and with a batch written twice, so the rollups must follow only what was stored.
/// </summary>
public sealed class UsageAggregationTests : IAsyncLifetime
{
    private static readonly string?[] Models = ["m-a", "m-b", "m/c", null];
    private static readonly string?[] Features = ["chat", "search", null];
    private static readonly string?[] Environments = ["prod", "dev", null];
    private static readonly string?[] Users = ["u1", "u2", "u3", null];

    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(TestServices.Postgres);

    public async Task InitializeAsync() => await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);

    public Task DisposeAsync() => _postgres.DisposeAsync().AsTask();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Usage_RandomEventsRandomQuestions_EqualsRawScan(int round)
    {
        var seed = Environment.TickCount ^ (round * 7919);
        var random = new Random(seed);
        var tenant = TestServices.NewTenantId("usage");
        var start = new DateTimeOffset(2024, 1 + random.Next(12), 1, 0, 0, 0, TimeSpan.Zero).AddDays(random.Next(20));
        var events = Enumerable.Range(0, 400).Select(_ => RandomEvent(random, tenant, start)).ToList();
        var writer = new PostgresEventWriter(_postgres);
        foreach (var chunk in events.Chunk(97))
        {
            await writer.WriteAsync(chunk, CancellationToken.None);
        }

        await writer.WriteAsync(events.Take(50).ToList(), CancellationToken.None); // delivered again: stored once
        var reader = new UsageReader(_postgres);
        string[] dimensions = ["model", "feature", "environment", "end_user", "trace_id"];
        for (var q = 0; q < 25; q++)
        {
            var groupBy = dimensions.Where(_ => random.Next(3) == 0).ToList();
            var window = UsageQuery.Windows[random.Next(3)];
            var from = random.Next(4) == 0 ? start.AddDays(-1) : start.AddHours(random.Next(0, 96));
            var to = random.Next(4) == 0 ? start.AddDays(6) : from.AddHours(1 + random.Next(120));
            var query = new UsageQuery(tenant, from, to, groupBy, window);

            var (rows, truncated) = await reader.ReadAsync(query, 100_000, CancellationToken.None);

            Assert.False(truncated);
            var expected = await ScanAsync(query);
            var actual = rows.Select(r => Line(r.PeriodStart, r.Dimensions, r.Measures)).ToList();
            Assert.True(expected.SequenceEqual(actual), $"seed {seed}, query {q} ({query.Source}: {string.Join(",", groupBy)} by {window}, {from:O}..{to:O}): expected {expected.Count} rows, got {actual.Count}\n{string.Join("\n", expected.Except(actual).Take(3))}\nvs\n{string.Join("\n", actual.Except(expected).Take(3))}");
        }
    }

    /// <summary>The same question asked of the raw events, written independently of the reader.</summary>
    private async Task<List<string>> ScanAsync(UsageQuery query)
    {
        var dims = query.GroupBy.Select(g => UsageQuery.Dimensions[g]).ToList();
        var select = string.Concat(dims.Select(d => $", {d}"));
        var groups = string.Concat(dims.Select((_, i) => $", {i + 2}"));
        await using var connection = await _postgres.OpenConnectionAsync();
        var rows = await connection.QueryAsync($"""
            SELECT date_trunc('{query.Window}', occurred_at, 'UTC') AS p{select},
                   count(*)::bigint AS requests, sum(input_tokens)::bigint, sum(output_tokens)::bigint, sum(cached_input_tokens)::bigint,
                   sum(cache_write_tokens)::bigint, sum(cache_write_1h_tokens)::bigint, sum(reasoning_tokens)::bigint,
                   sum(audio_input_tokens)::bigint, sum(audio_output_tokens)::bigint, sum(total_tokens)::bigint,
                   sum(server_tool_requests)::bigint, sum(cost_micros)::bigint
            FROM metering_events WHERE tenant_id = @tenant AND occurred_at >= @from AND occurred_at < @to
            GROUP BY 1{groups} ORDER BY 1{groups}
            """, new { tenant = query.TenantId, from = query.From, to = query.To });
        return [.. rows.Select(r =>
        {
            var values = ((IDictionary<string, object?>)r).Values.ToList();
            return Line(
                new DateTimeOffset(DateTime.SpecifyKind((DateTime)values[0]!, DateTimeKind.Utc)),
                [.. values.Skip(1).Take(dims.Count).Select(v => (string?)v)],
                [.. values.Skip(1 + dims.Count).Select(v => (long)v!)]);
        })];
    }

    private static string Line(DateTimeOffset period, string?[] dims, long[] measures)
        => $"{period.UtcDateTime:O}|{string.Join("|", dims.Select(d => d ?? "<null>"))}|{string.Join(",", measures)}";

    private static MeteringEvent RandomEvent(Random random, string tenant, DateTimeOffset start)
    {
        var at = start.AddSeconds(random.Next(0, 5 * 86_400)).AddTicks(random.Next(10_000_000));
        var input = random.Next(0, 5000);
        var output = random.Next(0, 2000);
        var cacheWrite = random.Next(0, input / 3 + 1);
        return new MeteringEvent
        {
            EventId = Guid.CreateVersion7(at),
            OccurredAt = at,
            TenantId = tenant,
            KeyId = "k",
            Provider = "p",
            Endpoint = "/v1/chat/completions",
            Model = Models[random.Next(Models.Length)],
            Status = EventStatus.Completed,
            HttpStatus = 200,
            Billable = true,
            InputTokens = input,
            OutputTokens = output,
            CachedInputTokens = random.Next(0, input / 2 + 1),
            CacheWriteTokens = cacheWrite,
            CacheWrite1hTokens = random.Next(0, cacheWrite + 1),
            ReasoningTokens = random.Next(0, output + 1),
            AudioInputTokens = random.Next(0, 10),
            AudioOutputTokens = random.Next(0, 10),
            TotalTokens = input + output,
            ServerToolRequests = random.Next(0, 3),
            UsageSource = "provider",
            Feature = Features[random.Next(Features.Length)],
            Environment = Environments[random.Next(Environments.Length)],
            EndUser = Users[random.Next(Users.Length)],
            TraceId = random.Next(3) == 0 ? null : "tr-" + random.Next(40),
            CostMicros = random.Next(0, 100_000),
        };
    }
}
