using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// The usage dashboard in headless Chromium against a real gateway with real usage: it signs in with the admin
/// token, renders its charts from the admin API's data, and logs no error. Set GATEWAY_DASHBOARD_SCREENSHOT to a
/// path to keep the screenshot (docs/dashboard.png is made that way).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class DashboardTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    [Fact]
    public async Task Dashboard_Files_ServedWithAStrictContentSecurityPolicy()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };

        var page = await http.GetAsync("/dashboard/");
        var script = await http.GetAsync("/dashboard/app.js");
        var missing = await http.GetAsync("/dashboard/secrets.json");
        var bare = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }).GetAsync(Gateway.BaseUrl + "/dashboard");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script src=\"app.js\" defer></script>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("chart.js", await script.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase); // bundled, not from a CDN
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
    }

    [BrowserFact]
    public async Task Dashboard_InChromium_ChartsRenderTheTenantsRealUsageWithoutErrors()
    {
        var tenant = TestServices.NewTenantId("dash");
        var history = await UsageHistory.SeedAsync(Gateway.Services, tenant, days: 13);
        Assert.Equal(HttpStatusCode.Created, (await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 250m, idempotency_key = "dash-seed" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Gateway.Admin.PutAsJsonAsync($"/admin/tenants/{tenant}/limits", new { requests_per_minute = 600, tokens_per_minute = 200000, tokens_per_day = (long?)null, tokens_per_month = 50_000_000 })).StatusCode);
        var key = (await (await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "dash" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var client = Gateway.Client(key);
        var live = 0;
        foreach (var (model, feature, user, max) in new[] { ("sim-1", "search", "alice", 40), ("sim-mini", "chat", "bob", 25), ("sim-reasoner", "summarize", "carol", 60), ("sim-1", "search", "dave", 30), ("sim-1", "extract", "alice", 20), ("sim-mini", "chat", "erin", 35) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = JsonContent.Create(new { model, max_tokens = max, user, messages = new[] { new { role = "user", content = "Show me on the dashboard." } } }),
            };
            request.Headers.Add("X-Meter-Feature", feature);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
            live++;
        }

        await Gateway.EventsAsync(tenant, (int)history + live, TimeSpan.FromSeconds(20));
        var reconciliation = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation");
        Assert.Equal(0, reconciliation.GetProperty("drift_micros").GetInt64());
        var today = DateTimeOffset.UtcNow.UtcDateTime.Date;
        var (from, to) = (today.AddDays(-13), today.AddDays(1));
        var usage = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/usage?tenant={tenant}&group_by=model&window=day&from={from:yyyy-MM-ddTHH:mm:ssZ}&to={to:yyyy-MM-ddTHH:mm:ssZ}");
        var rows = usage.GetProperty("data").EnumerateArray().ToList();
        var wallet = await Gateway.WalletAsync(tenant);
        var screenshot = Environment.GetEnvironmentVariable("GATEWAY_DASHBOARD_SCREENSHOT") is { Length: > 0 } keep ? Path.GetFullPath(keep) : Path.Combine(Path.GetTempPath(), $"dashboard-{tenant}.png");

        var report = await Browser.CheckAsync(Gateway.BaseUrl, TestServices.AdminToken, tenant, screenshot);

        Assert.False(report.TryGetProperty("error", out var failure), failure.ToString());
        Assert.Empty(report.GetProperty("errorResponses").EnumerateArray());
        Assert.Empty(report.GetProperty("consoleErrors").EnumerateArray());
        Assert.Empty(report.GetProperty("pageErrors").EnumerateArray());
        Assert.Empty(report.GetProperty("failedRequests").EnumerateArray());
        Assert.True(report.GetProperty("signInShown").GetBoolean());
        Assert.True(report.GetProperty("signInHidden").GetBoolean());
        Assert.DoesNotContain(report.GetProperty("urls").EnumerateArray(), u => u.GetString()!.Contains(TestServices.AdminToken, StringComparison.Ordinal));
        Assert.True(report.GetProperty("authorizationHeaders").GetInt32() >= 6);
        Assert.True(report.GetProperty("tokenInStorage").GetBoolean());

        var charts = report.GetProperty("state").GetProperty("charts");
        var spend = charts.GetProperty("chart-spend");
        var tokens = charts.GetProperty("chart-tokens");
        Assert.Equal(14, spend.GetProperty("labels").GetArrayLength());
        foreach (var model in new[] { "sim-1", "sim-mini", "sim-reasoner" })
        {
            var apiCost = rows.Where(r => r.GetProperty("model").GetString() == model).Sum(r => r.GetProperty("cost").GetDecimal());
            var apiTokens = rows.Where(r => r.GetProperty("model").GetString() == model).Sum(r => r.GetProperty("total_tokens").GetInt64());
            Assert.True(apiCost > 0);
            Assert.Equal((double)apiCost, Series(spend, model).Sum(), 9);
            Assert.Equal(apiTokens, Series(tokens, model).Sum());
            // Today's bar holds today's requests only (the live ones), the day before only history.
            var todayTokens = rows.Where(r => r.GetProperty("model").GetString() == model && r.GetProperty("period_start").GetDateTimeOffset() == new DateTimeOffset(today, TimeSpan.Zero)).Sum(r => r.GetProperty("total_tokens").GetInt64());
            Assert.Equal(todayTokens, Series(tokens, model)[^1]);
        }

        var drawn = report.GetProperty("drawn");
        foreach (var canvas in new[] { "chart-spend", "chart-tokens", "chart-models" })
        {
            Assert.True(drawn.GetProperty(canvas).GetInt32() > 2000, $"{canvas} drew {drawn.GetProperty(canvas)} pixels");
        }

        var texts = report.GetProperty("texts");
        Assert.Equal(rows.Sum(r => r.GetProperty("requests").GetInt64()).ToString("N0", CultureInfo.InvariantCulture), texts.GetProperty("kpi-requests").GetString());
        Assert.Equal(wallet.GetProperty("balance").GetDecimal(), report.GetProperty("state").GetProperty("wallet").GetProperty("balance").GetDecimal());
        var tables = report.GetProperty("tables");
        Assert.Contains(tables.GetProperty("features").EnumerateArray(), r => r[0].GetString() == "search");
        Assert.Contains(tables.GetProperty("users").EnumerateArray(), r => r[0].GetString() == "alice");
        Assert.Equal(15, tables.GetProperty("events").GetArrayLength());
        Assert.Contains(tables.GetProperty("events").EnumerateArray(), r => r[1].GetString() == "sim-reasoner" && r[6].GetString() == "summarize" && r[7].GetString() == "carol");
        Assert.Contains(tables.GetProperty("limits").EnumerateArray(), r => r[1].GetString() == "600 req");
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.Length > 20_000 && png.AsSpan(1, 3).SequenceEqual("PNG"u8), "the screenshot is a PNG of a rendered page");
    }

    private static double[] Series(JsonElement chart, string label)
        => [.. chart.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("label").GetString() == label).GetProperty("data").EnumerateArray().Select(v => v.GetDouble())];
}
