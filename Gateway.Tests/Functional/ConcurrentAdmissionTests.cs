using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Metering.Rating;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Functional;

/// <summary>
/// Overspend races (issue #3): many concurrent requests from several gateways on a wallet that covers ten holds.
/// The input margin is 1 and prices are whole micro-USD per token, so each request's cost equals its hold exactly
/// and the arithmetic below is exact.
/// </summary>
public sealed class ConcurrentAdmissionTests
{
    private const string Body = """{"model":"sim-1","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"race me"}]}""";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Admission:InputEstimateMargin"] = "1.0",
        ["Admission:HoldTtl"] = "00:00:03",
        ["Admission:SweepInterval"] = "00:00:00.500",
    };

    [Fact]
    public async Task TwoGateways_200Concurrent_AtMostTenReachUpstreamAndBalanceIsExact()
    {
        await using var a = await GatewayHost.StartAsync(Settings);
        await using var b = await GatewayHost.StartAsync(Settings);
        await GatewayFixture.PriceSimulatedModelsAsync(a);
        var hold = HoldOfBody(a);
        var credits = (10 * hold) + hold - 1; // ten holds fit, an eleventh does not
        var (tenant, key, _) = await a.NewTenantAsync(credit: credits / 1_000_000m);

        var statuses = await FireAsync(200, i => i % 2 == 0 ? a.BaseUrl : b.BaseUrl, key);

        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.PaymentRequired, $"unexpected {s}"));
        var admitted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(admitted, 1, 10);
        var events = await a.EventsAsync(tenant, admitted);
        await AssertLedgerAsync(a, tenant, credits, events, expectedCost: hold);
    }

    [Fact]
    public async Task OneGatewayKilledMidway_ItsRequestsEndAbandonedAndBalanceIsExact()
    {
        await using var a = await GatewayHost.StartAsync(Settings);
        using var doomed = await GatewayProcess.StartAsync(Settings.ToDictionary(p => p.Key, p => p.Value!));
        await GatewayFixture.PriceSimulatedModelsAsync(a);
        var hold = HoldOfBody(a);
        var credits = (10 * hold) + hold - 1;
        var (tenant, key, _) = await a.NewTenantAsync(credit: credits / 1_000_000m);

        // Slow streams (5 chunks × 300 ms). The doomed gateway is sent some first, so it surely dies with requests
        // in flight; then both get the rest at once.
        var early = FireAsync(4, _ => doomed.BaseUrl, key, chunkDelayMs: 300);
        for (var waited = 0; waited < 200 && (await a.WalletAsync(tenant)).GetProperty("held").GetDecimal() < 4 * hold / 1_000_000m; waited++)
        {
            await Task.Delay(50); // until the doomed gateway holds all four (a loaded machine may take a while to start it)
        }

        var rest = FireAsync(196, i => i % 2 == 0 ? a.BaseUrl : doomed.BaseUrl, key, chunkDelayMs: 300);
        await Task.Delay(400);
        doomed.Kill();
        var statuses = (await early).Concat(await rest).ToArray();
        var survived = statuses.Count(s => s == HttpStatusCode.OK);

        // The dead gateway's holds expire (3 s) and a sweeper settles each as abandoned; then the count settles.
        IReadOnlyList<JsonElement> events = [];
        var stableSince = DateTime.UtcNow;
        for (var i = 0; i < 150; i++)
        {
            await Task.Delay(100);
            var now = await a.ReadEventsAsync(tenant);
            var held = (await a.WalletAsync(tenant)).GetProperty("held").GetDecimal();
            if (now.Count != events.Count || held != 0)
            {
                stableSince = DateTime.UtcNow;
            }

            events = now;
            if (held == 0 && events.Count > 0 && DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(1))
            {
                break;
            }
        }

        var abandoned = events.Where(e => e.GetProperty("status").GetString() == "abandoned").ToList();
        var completed = events.Where(e => e.GetProperty("status").GetString() != "abandoned").ToList();
        var summary = $"survived {survived}, completed {completed.Count}, abandoned {abandoned.Count}, statuses {string.Join(",", statuses.GroupBy(x => x).Select(g => $"{g.Key}={g.Count()}"))}";
        Assert.True(abandoned.Count > 0, "the kill caught no request in flight: " + summary);
        Assert.True(survived == completed.Count, summary);
        Assert.InRange(events.Count, 1, 10); // never more admitted than the wallet covers
        Assert.Equal(events.Count, events.Select(e => e.GetProperty("event_id").GetString()).Distinct().Count());
        Assert.All(completed, e => Assert.Equal(hold, e.GetProperty("cost_micros").GetInt64()));
        var inputOnly = hold - (5 * 2); // the hold without its 5 output tokens at $2/M
        Assert.All(abandoned, e => Assert.Equal(inputOnly, e.GetProperty("cost_micros").GetInt64()));
        Assert.All(abandoned, e => Assert.Equal("estimated", e.GetProperty("usage_source").GetString()));
        await AssertLedgerAsync(a, tenant, credits, events, expectedCost: null);
    }

    /// <summary>balance = credits − Σ event costs, nothing held, never below zero, no drift.</summary>
    private static async Task AssertLedgerAsync(GatewayHost gateway, string tenant, long credits, IReadOnlyList<JsonElement> events, long? expectedCost)
    {
        if (expectedCost is { } cost)
        {
            Assert.All(events, e => Assert.Equal(cost, e.GetProperty("cost_micros").GetInt64()));
        }

        var wallet = await gateway.WalletAsync(tenant);
        var balance = (long)(wallet.GetProperty("balance").GetDecimal() * 1_000_000);
        Assert.Equal(credits - events.Sum(e => e.GetProperty("cost_micros").GetInt64()), balance);
        Assert.True(balance >= 0);
        Assert.Equal(0m, wallet.GetProperty("held").GetDecimal());
        var reconciliation = await gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation");
        Assert.Equal(0, reconciliation.GetProperty("drift_micros").GetInt64());
    }

    private static long HoldOfBody(GatewayHost gateway)
    {
        var (text, messages) = RequestText.Extract(Encoding.UTF8.GetBytes(Body));
        var input = gateway.Services.GetRequiredService<TokenEstimator>().CountInput("sim-1", text, messages);
        return Rater.HoldMicros(input, 5, new ModelPrice("sim-1", 1, 1_000_000, 2_000_000, null, null, null));
    }

    private static async Task<HttpStatusCode[]> FireAsync(int count, Func<int, string> target, string key, int chunkDelayMs = 50)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { Timeout = TimeSpan.FromSeconds(30) };
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target(i) + "/v1/chat/completions") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new("Bearer", key);
            request.Headers.Add("X-Simulator-Chunk-Delay-Ms", chunkDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                return response.StatusCode == HttpStatusCode.OK && !body.EndsWith("data: [DONE]\n\n", StringComparison.Ordinal)
                    ? HttpStatusCode.BadGateway // a stream cut by the kill
                    : response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
            {
                return HttpStatusCode.ServiceUnavailable; // the killed gateway's connections
            }
        }).ToArray();
        return await Task.WhenAll(tasks);
    }
}
