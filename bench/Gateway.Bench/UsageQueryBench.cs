using System.Diagnostics;
using Gateway.Metering.Aggregation;
using Gateway.Metering.Sink;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

/// <summary>
/// Usage aggregation over many events (issue #6): N events in one month over T tenants in a database of their own
/// (generated once, kept for the next run), the rollups built as the flusher builds them, then one tenant's month
/// grouped by model and day, timed from the rollup the gateway picks and, for comparison, from the hourly rollup
/// and from the raw events. Goal: under 100 ms for 10 million events.
/// Usage: dotnet run -c Release --project bench/Gateway.Bench -- usage [events] [tenants] [rounds]
/// </summary>
internal static class UsageQueryBench
{
    private static readonly DateTimeOffset Month = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 1 ? long.Parse(args[1]) : 10_000_000;
        var tenants = args.Length > 2 ? int.Parse(args[2]) : 100;
        var rounds = args.Length > 3 ? int.Parse(args[3]) : 30;
        var test = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("GATEWAY_POSTGRES_TEST")
            ?? "Host=127.0.0.1;Port=5433;Username=gateway;Password=gateway;Database=gateway_test");
        var bench = new NpgsqlConnectionStringBuilder(test.ConnectionString) { Database = "gateway_bench_usage", CommandTimeout = 0 };
        await using (var admin = NpgsqlDataSource.Create(test.ConnectionString))
        {
            if (await Scalar<long>(admin, "SELECT count(*) FROM pg_database WHERE datname = 'gateway_bench_usage'") == 0)
            {
                await Execute(admin, "CREATE DATABASE gateway_bench_usage");
            }
        }

        await using var postgres = NpgsqlDataSource.Create(bench.ConnectionString);
        await new MigrationRunner(postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
        var have = await Scalar<long>(postgres, "SELECT count(*) FROM metering_events");
        var haveTenants = await Scalar<long>(postgres, "SELECT count(*) FROM usage_daily WHERE bucket = '2026-10-01' AND model = 'model-0'");
        if (have != events || haveTenants != tenants)
        {
            Console.WriteLine($"generating {events:N0} events for {tenants} tenants in {Month:yyyy-MM} (once; kept in database gateway_bench_usage)...");
            var clock = Stopwatch.StartNew();
            await Execute(postgres, "TRUNCATE metering_events, usage_hourly, usage_daily");
            await Execute(postgres, "SELECT ensure_events_partition('2026-10-15')");
            await Execute(postgres, $"""
                INSERT INTO metering_events (event_id, occurred_at, tenant_id, key_id, provider, endpoint, model, streamed, status,
                    http_status, billable, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
                    audio_input_tokens, audio_output_tokens, total_tokens, usage_source, feature, environment, end_user, trace_id,
                    latency_ms, cost_micros, cache_write_1h_tokens, server_tool_requests)
                SELECT gen_random_uuid(), '2026-10-01'::timestamptz + (random() * interval '31 days'), 'bench-' || (i % {tenants}),
                    'k', 'openai', '/v1/chat/completions', 'model-' || (i % 8), false, 'completed', 200, true,
                    1000 + (i % 500), 200 + (i % 300), i % 400, 0, i % 50, 0, 0, 1200 + (i % 500) + (i % 300), 'provider',
                    'feature-' || (i % 10), (ARRAY['prod','staging','dev'])[1 + i % 3], 'user-' || (i % 1000), 'trace-' || i,
                    100, 500 + (i % 1000), 0, 0
                FROM generate_series(1, {events}) AS i
                """);
            Console.WriteLine($"  events stored in {clock.Elapsed.TotalSeconds:F0} s");
            await Execute(postgres, """
                INSERT INTO usage_hourly
                SELECT tenant_id, date_trunc('hour', occurred_at, 'UTC'), COALESCE(model, ''), COALESCE(feature, ''), COALESCE(environment, ''),
                       COALESCE(end_user, ''), count(*), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens),
                       sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens), sum(audio_input_tokens),
                       sum(audio_output_tokens), sum(total_tokens), sum(server_tool_requests), sum(cost_micros)
                FROM metering_events GROUP BY 1, 2, 3, 4, 5, 6
                """);
            await Execute(postgres, """
                INSERT INTO usage_daily
                SELECT tenant_id, date_trunc('day', bucket, 'UTC'), model, sum(requests), sum(input_tokens), sum(output_tokens),
                       sum(cached_input_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens),
                       sum(audio_input_tokens), sum(audio_output_tokens), sum(total_tokens), sum(server_tool_requests), sum(cost_micros)
                FROM usage_hourly GROUP BY 1, 2, 3
                """);
            await Execute(postgres, "VACUUM ANALYZE");
            Console.WriteLine($"  rollups built, analyzed: {clock.Elapsed.TotalSeconds:F0} s in all");
        }

        var hourlyRows = await Scalar<long>(postgres, "SELECT count(*) FROM usage_hourly");
        var dailyRows = await Scalar<long>(postgres, "SELECT count(*) FROM usage_daily");
        Console.WriteLine($"data: {events:N0} events, {tenants} tenants ({events / tenants:N0} events each), usage_hourly {hourlyRows:N0} rows, usage_daily {dailyRows:N0} rows");
        Console.WriteLine($"question: one tenant, {Month:yyyy-MM}, grouped by model and day; {rounds} rounds after 3 warm-ups, milliseconds");

        var reader = new UsageReader(postgres);
        var byModel = new UsageQuery("bench-7", Month, Month.AddMonths(1), ["model"], "day");
        var byModelFeature = new UsageQuery("bench-7", Month, Month.AddMonths(1), ["model", "feature"], "day");
        var arms = new (string Name, Func<Task> Run)[]
        {
            ($"gateway ({byModel.Source})", () => reader.ReadAsync(byModel, 10_000, CancellationToken.None)),
            ($"model+feature ({byModelFeature.Source})", () => reader.ReadAsync(byModelFeature, 10_000, CancellationToken.None)),
            ("raw scan of events", () => Execute(postgres, """
                SELECT date_trunc('day', occurred_at, 'UTC'), model, count(*), sum(input_tokens), sum(output_tokens), sum(cost_micros)
                FROM metering_events WHERE tenant_id = 'bench-7' AND occurred_at >= '2026-10-01' AND occurred_at < '2026-11-01' GROUP BY 1, 2
                """)),
        };
        var timings = arms.ToDictionary(a => a.Name, _ => new List<double>());
        for (var round = -3; round < rounds; round++)
        {
            foreach (var (name, run) in arms) // interleaved
            {
                var clock = Stopwatch.StartNew();
                await run();
                if (round >= 0)
                {
                    timings[name].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }

        foreach (var (name, values) in timings)
        {
            values.Sort();
            Console.WriteLine($"{name,-36} p50 {values[values.Count / 2],8:F2}  p95 {values[(int)(values.Count * 0.95)],8:F2}  max {values[^1],8:F2}");
        }

        var goal = timings.First().Value[timings.First().Value.Count / 2] < 100;
        Console.WriteLine($"goal (p50 under 100 ms from the rollups): {(goal ? "met" : "NOT met")}");
        return 0;
    }

    private static async Task Execute(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
