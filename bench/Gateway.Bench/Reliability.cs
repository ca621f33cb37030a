using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using StackExchange.Redis;

/// <summary>
/// Reliability runs of the durable event path (issue #4), against real gateway processes, Redis and Postgres.
/// <c>kill</c>: mixed streamed and plain load on two gateways while one is SIGKILLed and restarted 10 times.
/// <c>postgres</c>: the same load while Postgres is stopped for 60 s, then started.
/// Afterwards: every answered request has exactly one event, every request admitted but never settled ends as one
/// <c>abandoned</c> event, no event id twice, nothing held, and balance = credits − Σ costs with zero drift.
/// Exit code 0 only when every check holds.
/// </summary>
internal static class Reliability
{
    private const string AdminToken = "reliability-admin-token-0123456789";
    private static readonly string Redis = (Environment.GetEnvironmentVariable("GATEWAY_REDIS") ?? "127.0.0.1:6380") + ",defaultDatabase=12";
    private static readonly string Postgres = Environment.GetEnvironmentVariable("GATEWAY_POSTGRES_TEST") ?? "Host=127.0.0.1;Port=5433;Username=gateway;Password=gateway;Database=gateway_test";

    public static async Task<int> RunAsync(string scenario)
    {
        var settings = new Dictionary<string, string>
        {
            ["Admission__HoldTtl"] = "00:00:05",
            ["Admission__SweepInterval"] = "00:00:01",
            ["Admission__InputEstimateMargin"] = "1.0",
            ["Sink__ClaimAfter"] = "00:00:03",
            ["Sink__FlushInterval"] = "00:00:00.050",
            ["Sink__MaxRetryDelay"] = "00:00:01",
            ["ConnectionStrings__Redis"] = Redis,
        };
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(Redis + ",allowAdmin=true"))
        {
            await redis.GetDatabase().ExecuteAsync("FLUSHDB"); // a Redis database of its own, fresh each run
        }

        using var stable = await GatewayProcess.StartAsync(settings);
        var victim = await GatewayProcess.StartAsync(settings);
        using var admin = new HttpClient { BaseAddress = new Uri(stable.BaseUrl) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        var tenant = "rel-" + Guid.NewGuid().ToString("N")[..10];
        (await admin.PutAsJsonAsync("/admin/prices/sim-1", new { input_per_million = 1, output_per_million = 2 })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/admin/tenants", new { id = tenant, name = tenant })).EnsureSuccessStatusCode();
        var keyResponse = await (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "load" })).Content.ReadFromJsonAsync<JsonElement>();
        var key = keyResponse.GetProperty("key").GetString()!;
        const long creditMicros = 1_000_000_000; // $1000: the load never runs dry
        (await admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = creditMicros / 1_000_000m, idempotency_key = "reliability" })).EnsureSuccessStatusCode();

        var outcomes = new ConcurrentBag<Outcome>();
        using var stop = new CancellationTokenSource();
        var targets = new[] { stable.BaseUrl, victim.BaseUrl };
        var load = Enumerable.Range(0, 12).Select(w => LoadAsync(w, () => targets, key, outcomes, stop.Token)).ToArray();
        Console.WriteLine($"load running on {stable.BaseUrl} and {victim.BaseUrl} (tenant {tenant})");

        if (scenario == "kill")
        {
            var random = new Random();
            for (var i = 1; i <= 10; i++)
            {
                await Task.Delay(random.Next(1_000, 3_000));
                victim.Kill();
                Console.WriteLine($"kill {i}: SIGKILL {victim.BaseUrl}");
                victim = await GatewayProcess.StartAsync(settings, victim.Port);
            }
        }
        else if (scenario == "postgres")
        {
            await Task.Delay(3_000);
            PgCtl("stop");
            Console.WriteLine("postgres stopped for 60 s");
            await Task.Delay(60_000);
            PgCtl("start");
            Console.WriteLine("postgres started");
            await Task.Delay(5_000);
        }
        else
        {
            Console.Error.WriteLine("scenarios: kill, postgres");
            return 2;
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);
        Console.WriteLine($"load stopped: {outcomes.Count} requests; waiting for holds to expire and events to drain");
        var ok = await VerifyAsync(admin, tenant, creditMicros, outcomes);
        victim.Dispose();
        Console.WriteLine(ok ? "RELIABILITY PASS" : "RELIABILITY FAIL");
        return ok ? 0 : 1;
    }

    private static async Task LoadAsync(int worker, Func<string[]> targets, string key, ConcurrentBag<Outcome> outcomes, CancellationToken stop)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var streamed = (worker + n) / 2 % 2 == 0; // both gateways get both kinds (not tied to the target below)
            var body = streamed
                ? """{"model":"sim-1","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"reliability"}]}"""
                : """{"model":"sim-1","max_tokens":5,"messages":[{"role":"user","content":"reliability"}]}""";
            using var request = new HttpRequestMessage(HttpMethod.Post, targets()[(worker + n) % 2] + "/v1/chat/completions")
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.Add("X-Simulator-Chunk-Delay-Ms", "40");
            string? id = null;
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                id = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.Single() : null;
                var text = await response.Content.ReadAsStringAsync();
                var complete = response.StatusCode == HttpStatusCode.OK && (streamed ? text.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal) : text.EndsWith('}'));
                outcomes.Add(new Outcome(id, (int)response.StatusCode, complete));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                outcomes.Add(new Outcome(id, 0, false)); // the gateway died under it
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private static async Task<bool> VerifyAsync(HttpClient admin, string tenant, long creditMicros, ConcurrentBag<Outcome> outcomes)
    {
        await using var postgres = NpgsqlDataSource.Create(Postgres);
        List<(Guid Id, string Status, long Cost)> events = [];
        var held = 1m;
        for (var i = 0; i < 60; i++)
        {
            await Task.Delay(1_000);
            held = (await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/wallet")).GetProperty("held").GetDecimal();
            var reconciliation = await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation");
            if (held == 0 && reconciliation.GetProperty("unflushed_events").GetInt32() == 0)
            {
                break;
            }
        }

        await using (var command = postgres.CreateCommand("SELECT event_id, status, cost_micros FROM metering_events WHERE tenant_id = $1"))
        {
            command.Parameters.AddWithValue(tenant);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                events.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var byId = events.GroupBy(e => e.Id).ToDictionary(g => g.Key, g => g.ToList());
        var answered = outcomes.Where(o => o.Complete).ToList();
        var missing = answered.Count(o => o.EventId is null || !byId.ContainsKey(Guid.Parse(o.EventId)));
        var duplicated = byId.Count(g => g.Value.Count > 1);
        var wallet = await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/wallet");
        var balance = (long)(wallet.GetProperty("balance").GetDecimal() * 1_000_000);
        var spent = events.Sum(e => e.Cost);
        var drift = (await admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation")).GetProperty("drift_micros").GetInt64();
        var abandoned = events.Count(e => e.Status == "abandoned");
        var refused = outcomes.Count(o => o.Status is 402 or 429 or 503);
        var cutAfterAdmission = outcomes.Where(o => !o.Complete && o.EventId is not null).ToList();
        var cutWithoutEvent = cutAfterAdmission.Count(o => !byId.ContainsKey(Guid.Parse(o.EventId!)));

        Console.WriteLine($"requests {outcomes.Count}: answered whole {answered.Count}, cut or failed {outcomes.Count - answered.Count}, refused {refused}");
        Console.WriteLine($"events {events.Count}: abandoned {abandoned}, other {events.Count - abandoned}; cut after admission {cutAfterAdmission.Count}");
        var checks = new (string Name, bool Ok, string Detail)[]
        {
            ("every answered request has its event", missing == 0, $"{missing} missing"),
            ("every request cut after admission has its event", cutWithoutEvent == 0, $"{cutWithoutEvent} of {cutAfterAdmission.Count} missing"),
            ("no event id twice", duplicated == 0, $"{duplicated} duplicated"),
            ("no hold left open", held == 0, $"held {held}"),
            ("balance = credits − Σ costs", balance == creditMicros - spent, $"balance {balance}, credits − costs {creditMicros - spent}"),
            ("reconciliation drift is zero", drift == 0, $"drift {drift}"),
        };
        foreach (var (name, ok, detail) in checks)
        {
            Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {name} ({detail})");
        }

        return checks.All(c => c.Ok);
    }

    private static void PgCtl(string action)
    {
        var bin = Environment.GetEnvironmentVariable("GATEWAY_PG_BIN") ?? throw new InvalidOperationException("GATEWAY_PG_BIN is not set (run through scripts/reliability.sh)");
        var data = Environment.GetEnvironmentVariable("GATEWAY_PGDATA") ?? throw new InvalidOperationException("GATEWAY_PGDATA is not set");
        var options = action == "start" ? $" -o \"-c listen_addresses=127.0.0.1 -p {new NpgsqlConnectionStringBuilder(Postgres).Port} -k {data}\"" : " -m fast";
        using var process = Process.Start("bash", ["-c", $"runuser -u postgres -- {bin}/pg_ctl -D {data} -l {data}/server.log -w {action}{options}"])!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {action} failed");
        }
    }

    private sealed record Outcome(string? EventId, int Status, bool Complete);

    private sealed class GatewayProcess : IDisposable
    {
        private readonly Process _process;

        private GatewayProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public string BaseUrl => $"http://127.0.0.1:{Port}";

        public static async Task<GatewayProcess> StartAsync(IDictionary<string, string> settings, int? port = null)
        {
            port ??= FreePort();
            var info = new ProcessStartInfo("dotnet", [Path.Combine(Root(), "Gateway", "bin", "Release", "net10.0", "Gateway.dll")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment["Urls"] = $"http://127.0.0.1:{port}";
            info.Environment["ConnectionStrings__Postgres"] = Postgres;
            info.Environment["Admin__Token"] = AdminToken;
            info.Environment["Providers__openai__BaseUrl"] = "";
            info.Environment["Demo__Key"] = "";
            info.Environment["Logging__LogLevel__Default"] = "Error";
            foreach (var (k, v) in settings)
            {
                info.Environment[k] = v;
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/healthz")).IsSuccessStatusCode)
                    {
                        return new GatewayProcess(process, port.Value);
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(100);
            }

            throw new InvalidOperationException("gateway did not start");
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }
        }

        private static int FreePort()
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private static string Root()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException("gateway.sln");
        }
    }
}
