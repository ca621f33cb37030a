using System.Diagnostics;
using System.Text;
using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

if (args is ["reliability", var scenario, ..])
{
    return await Reliability.RunAsync(scenario);
}

if (args is ["stream", ..])
{
    return await StreamBench.LatencyAsync(args);
}

if (args is ["streams", ..])
{
    return await StreamBench.ManyAsync(args);
}

if (args is ["open", ..])
{
    return await OpenLoopBench.RunAsync(args);
}

if (args is ["redis-rtt", ..])
{
    return await RedisRoundTripBench.RunAsync(args);
}

if (args is ["wallet-scripts", ..])
{
    return await WalletScriptBench.RunAsync(args);
}

if (args is ["tokens", ..])
{
    return TokenCountBench.Run(args);
}

if (args is ["usage", ..])
{
    return await UsageQueryBench.RunAsync(args);
}

// Flusher throughput (issue #4): events per second into Postgres with binary COPY (the gateway's writer) against a
// multi-row INSERT ... ON CONFLICT DO NOTHING, same batches, arms interleaved in rounds.
// Usage: dotnet run -c Release --project bench/Gateway.Bench -- [events per round] [batch] [rounds]
var total = args.Length > 0 ? int.Parse(args[0]) : 200_000;
var batchSize = args.Length > 1 ? int.Parse(args[1]) : 1_000;
var rounds = args.Length > 2 ? int.Parse(args[2]) : 3;
var connectionString = Environment.GetEnvironmentVariable("GATEWAY_POSTGRES_TEST")
    ?? "Host=127.0.0.1;Port=5433;Username=gateway;Password=gateway;Database=gateway_test";

await using var postgres = NpgsqlDataSource.Create(connectionString);
await new MigrationRunner(postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
var copy = new PostgresEventWriter(postgres);
var tenant = "bench-flusher-" + Guid.NewGuid().ToString("N")[..8];
var results = new Dictionary<string, List<double>> { ["copy"] = [], ["insert"] = [] };
var now = DateTimeOffset.UtcNow;

for (var round = 1; round <= rounds; round++)
{
    foreach (var arm in new[] { "copy", "insert" })
    {
        var events = Enumerable.Range(0, total).Select(i => Event(tenant, now, i)).ToList();
        var clock = Stopwatch.StartNew();
        for (var offset = 0; offset < events.Count; offset += batchSize)
        {
            var batch = events.GetRange(offset, Math.Min(batchSize, events.Count - offset));
            if (arm == "copy")
            {
                await copy.WriteAsync(batch, CancellationToken.None);
            }
            else
            {
                for (var part = 0; part < batch.Count; part += 2_000) // 27 parameters a row; Postgres allows 65,535
                {
                    await InsertAsync(postgres, batch.GetRange(part, Math.Min(2_000, batch.Count - part)));
                }
            }
        }

        var rate = total / clock.Elapsed.TotalSeconds;
        results[arm].Add(rate);
        Console.WriteLine($"round {round} {arm,-6} {rate,10:N0} events/s ({clock.Elapsed.TotalSeconds:F2} s for {total:N0})");
    }
}

await using (var cleanup = postgres.CreateCommand("DELETE FROM metering_events WHERE tenant_id = $1"))
{
    cleanup.Parameters.AddWithValue(tenant);
    await cleanup.ExecuteNonQueryAsync();
}

double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
Console.WriteLine();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; Postgres on loopback; batch {batchSize}; {rounds} rounds of {total:N0} events per arm; medians");
Console.WriteLine($"binary COPY        {Median(results["copy"]),10:N0} events/s");
Console.WriteLine($"multi-row INSERT   {Median(results["insert"]),10:N0} events/s");
Console.WriteLine($"ratio COPY/INSERT  {Median(results["copy"]) / Median(results["insert"]):F2}");
return 0;

static MeteringEvent Event(string tenant, DateTimeOffset now, int i) => new()
{
    EventId = Guid.CreateVersion7(now.AddMilliseconds(i)),
    OccurredAt = now.AddMilliseconds(i),
    TenantId = tenant,
    KeyId = "key_bench",
    Provider = "openai",
    Endpoint = "/v1/chat/completions",
    Model = "gpt-4o-mini",
    ServedModel = "gpt-4o-mini-2024-07-18",
    Streamed = i % 2 == 0,
    Status = EventStatus.Completed,
    HttpStatus = 200,
    Billable = true,
    InputTokens = 230 + (i % 100),
    OutputTokens = 16,
    TotalTokens = 246 + (i % 100),
    UsageSource = "provider",
    Feature = "chat",
    LatencyMs = 12,
    TtftMs = 5,
    RawUsage = """{"prompt_tokens":230,"completion_tokens":16,"total_tokens":246}""",
    CostMicros = 139,
    PriceVersion = 1,
};

// The alternative a naive sink would use: one multi-row INSERT per batch, every value a parameter.
static async Task InsertAsync(NpgsqlDataSource postgres, List<MeteringEvent> batch)
{
    const string columns = "event_id, occurred_at, tenant_id, key_id, provider, endpoint, model, served_model, streamed, status, http_status, billable, input_tokens, output_tokens, total_tokens, usage_source, feature, latency_ms, ttft_ms, raw_usage, cost_micros, price_version, cached_input_tokens, cache_write_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens";
    const int perRow = 27;
    var sql = new StringBuilder($"INSERT INTO metering_events ({columns}) VALUES ");
    await using var command = postgres.CreateCommand();
    for (var r = 0; r < batch.Count; r++)
    {
        sql.Append(r == 0 ? "(" : ",(");
        for (var c = 0; c < perRow; c++)
        {
            sql.Append(c == 0 ? "$" : ",$").Append((r * perRow) + c + 1);
            if (c == 19)
            {
                sql.Append("::json");
            }
        }

        sql.Append(')');
        var e = batch[r];
        object?[] values = [e.EventId, e.OccurredAt, e.TenantId, e.KeyId, e.Provider, e.Endpoint, e.Model, e.ServedModel, e.Streamed, e.Status, e.HttpStatus, e.Billable, e.InputTokens, e.OutputTokens, e.TotalTokens, e.UsageSource, e.Feature, e.LatencyMs, e.TtftMs, e.RawUsage, e.CostMicros, e.PriceVersion, 0L, 0L, 0L, 0L, 0L];
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
    }

    sql.Append(" ON CONFLICT (event_id, occurred_at) DO NOTHING");
    command.CommandText = sql.ToString();
    await command.ExecuteNonQueryAsync();
}
