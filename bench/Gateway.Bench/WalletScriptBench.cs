using System.Diagnostics;
using System.Globalization;
using Gateway.Metering.Quotas;
using Gateway.Metering.Wallets;
using StackExchange.Redis;

/// <summary>
/// What the two hot-path scripts cost Redis: admit and settle pairs through the gateway's own <see cref="WalletStore"/>
/// (same scripts, keys and argument sizes as a request: a ~600-byte abandoned event, a ~900-byte event), CONCURRENCY
/// pairs in flight, then Redis's own accounting (<c>INFO commandstats</c>): microseconds a script call, and how much
/// of it the commands inside take. Run it against an idle Redis (no gateway on it): the stats are the server's.
/// It works in database 14 and empties it at the end (docs/benchmarks.md, session 9).
/// </summary>
internal static class WalletScriptBench
{
    /// <summary><c>wallet-scripts HOST:PORT PAIRS CONCURRENCY</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = args[1];
        var pairs = int.Parse(args[2], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[3], CultureInfo.InvariantCulture);
        using var redis = await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,defaultDatabase=14");
        var server = redis.GetServer(endpoint);
        var wallets = new WalletStore(redis);
        var tenant = "bench-scripts-" + Guid.NewGuid().ToString("N")[..8];
        await wallets.RebuildAsync(tenant, 1_000_000_000_000, "active", TenantLimits.Unlimited, []);
        var abandoned = Json("abandoned", 600);
        var completed = Json("completed", 900);

        await RunPairsAsync(wallets, tenant, Math.Min(pairs, 2_000), concurrency, abandoned, completed); // warm-up
        await server.ExecuteAsync("CONFIG", "RESETSTAT");
        var clock = Stopwatch.StartNew();
        await RunPairsAsync(wallets, tenant, pairs, concurrency, abandoned, completed);
        var seconds = clock.Elapsed.TotalSeconds;

        var stats = ParseCommandStats((string)(await server.ExecuteAsync("INFO", "commandstats"))!);
        var (calls, usec) = stats.GetValueOrDefault("evalsha");
        var inner = stats.Where(s => s.Key is not "evalsha" and not "config" and not "info").Sum(s => s.Value.Usec);
        Console.WriteLine($"RESULT pairs={pairs} concurrency={concurrency} pairs_per_s={pairs / seconds:F0} " +
            $"script_calls={calls} usec_per_script_call={(calls > 0 ? usec / calls : 0):F2} " +
            $"inner_commands_usec_per_script_call={(calls > 0 ? inner / calls : 0):F2}");
        foreach (var (name, (c, u)) in stats.OrderByDescending(s => s.Value.Usec))
        {
            Console.WriteLine($"  {name,-16} calls {c,9}  usec/call {(c > 0 ? u / c : 0),7:F2}");
        }

        await server.FlushDatabaseAsync(14);
        return 0;
    }

    private static async Task RunPairsAsync(WalletStore wallets, string tenant, int pairs, int concurrency, string abandoned, string completed)
    {
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < pairs)
            {
                var hold = Guid.CreateVersion7().ToString();
                var now = DateTimeOffset.UtcNow;
                var admitted = await wallets.AdmitAsync(tenant, hold, 1_234, 506, now, TimeSpan.FromMinutes(10), -1, abandoned, "gpt-4o-mini");
                if (admitted.Outcome != AdmissionOutcome.Admitted)
                {
                    throw new InvalidOperationException($"Admission refused: {admitted.Outcome}.");
                }

                await wallets.SettleAsync(tenant, hold, 1_000, -6, now, completed, "gpt-4o-mini", 500);
            }
        });
        await Task.WhenAll(workers);
    }

    private static Dictionary<string, (long Calls, double Usec)> ParseCommandStats(string info)
    {
        var stats = new Dictionary<string, (long, double)>(StringComparer.Ordinal);
        foreach (var line in info.Split('\n', StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var name = line[8..line.IndexOf(':', StringComparison.Ordinal)];
            var fields = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(',')
                .Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
            stats[name] = (long.Parse(fields["calls"], CultureInfo.InvariantCulture), double.Parse(fields["usec"], CultureInfo.InvariantCulture));
        }

        return stats;
    }

    /// <summary>An event-shaped JSON of about <paramref name="size"/> bytes.</summary>
    private static string Json(string status, int size)
    {
        var head = $"{{\"event_id\":\"{Guid.CreateVersion7()}\",\"tenant_id\":\"bench\",\"key_id\":\"key_0123456789abcdef\",\"model\":\"gpt-4o-mini\",\"provider\":\"openai\",\"api\":\"chat_completions\",\"status\":\"{status}\",\"input_tokens\":250,\"output_tokens\":256,\"cost_micros\":1234,\"occurred_at\":\"2026-11-28T02:00:00.000Z\",\"metadata\":{{\"note\":\"";
        return head + new string('x', Math.Max(0, size - head.Length - 4)) + "\"}}";
    }
}
