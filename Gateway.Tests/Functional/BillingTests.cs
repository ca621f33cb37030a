using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace Gateway.Tests.Functional;

/// <summary>Rating and billing as an operator meets them (issue #6): tiered and overridden prices, plans, markup,
/// invoices, closing, re-rating, credit expiry; all through the admin API, requests through the OpenAI SDK.</summary>
[Collection(GatewayCollection.Name)]
public sealed class BillingTests(GatewayFixture fixture)
{
    private const string Prompt = "Bill me by the tier.";

    private static readonly ChatCompletionOptions Seven = new() { MaxOutputTokenCount = 7 };

    private GatewayHost Gateway => fixture.Simulated;

    private static string ThisPeriod => DateTimeOffset.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Invoice_GraduatedTierCrossedInsideOneRequest_EventSplitAndInvoiceIsTheSumOfEvents()
    {
        var input = await PromptTokensAsync();
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        var boundary = input + 7 + 3; // the second request's input crosses it after 3 tokens
        await PutAsync($"/admin/tenants/{tenant}/prices/sim-1", new
        {
            tier_mode = "graduated",
            tiers = new object[]
            {
                new { up_to = (long?)boundary, input_per_million = 3m, output_per_million = 15m },
                new { up_to = (long?)null, input_per_million = 1m, output_per_million = 5m },
            },
        });

        await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven);
        await Gateway.EventsAsync(tenant, 1); // settled: the month's tokens are counted before the next admission
        await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven);
        var events = (await Gateway.EventsAsync(tenant, 2)).OrderBy(e => e.GetProperty("occurred_at").GetDateTimeOffset()).ToList();

        long first = (input * 3) + (7 * 15), second = (3 * 3) + ((input - 3) * 1) + (7 * 5);
        Assert.Equal([first, second], events.Select(e => e.GetProperty("cost_micros").GetInt64()));
        Assert.Equal([0L, input + 7], events.Select(e => e.GetProperty("tier_position").GetInt64()));
        var invoice = await GetAsync($"/admin/tenants/{tenant}/invoices/{ThisPeriod}");
        Assert.Equal("open", invoice.GetProperty("status").GetString());
        Assert.Equal(first + second, invoice.GetProperty("total_micros").GetInt64());
        var usage = invoice.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("type").GetString() == "usage")
            .ToDictionary(l => (l.GetProperty("token_class").GetString(), l.GetProperty("tier").GetInt32()), l => (l.GetProperty("quantity").GetInt64(), l.GetProperty("amount_micros").GetInt64()));
        Assert.Equal((input + 3, (input + 3) * 3), usage[("input", 1)]);
        Assert.Equal((input - 3, input - 3), usage[("input", 2)]);
        Assert.Equal((7L, 7L * 15), usage[("output", 1)]);
        Assert.Equal((7L, 7L * 5), usage[("output", 2)]);
        Assert.Equal(4, usage.Count);
    }

    [Fact]
    public async Task Rerate_PriceFixedAfterTheFact_OpenInvoiceAndWalletMoveByTheDifference_ClosedInvoiceStays()
    {
        var (tenant, key, keyId) = await Gateway.NewTenantAsync();
        var v1 = await PutAsync($"/admin/tenants/{tenant}/prices/sim-1", new { input_per_million = 3m, output_per_million = 15m, effective_from = "2025-01-01T00:00:00Z" });
        var past = new DateTimeOffset(2025, 2, 10, 12, 0, 0, TimeSpan.Zero);
        await Gateway.Services.GetRequiredService<PostgresEventWriter>().WriteAsync([PastEvent(tenant, keyId, past, v1.GetProperty("id").GetInt64())], CancellationToken.None);
        var completion = (await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven)).Value;
        var input = completion.Usage.InputTokenCount;
        var stored = await Gateway.EventsAsync(tenant, 2);

        var close = await PostAsync("/admin/invoices/2025-02/close", new { });
        var closed = close.GetProperty("closed").EnumerateArray().Single(c => c.GetProperty("tenant_id").GetString() == tenant);
        Assert.Equal((1000 * 3) + (100 * 15), closed.GetProperty("total_micros").GetInt64());
        var closedBefore = await GetRawAsync($"/admin/tenants/{tenant}/invoices/2025-02");
        var openBefore = (await GetAsync($"/admin/tenants/{tenant}/invoices/{ThisPeriod}")).GetProperty("total_micros").GetInt64();
        var balanceBefore = (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal();
        Assert.Equal((input * 3) + (7 * 15), openBefore);
        // The past event went straight to Postgres, never through the live wallet: that is the drift, and it must stay.
        Assert.Equal(4500, (await GetAsync($"/admin/tenants/{tenant}/reconciliation")).GetProperty("drift_micros").GetInt64());

        // The price was wrong all along: a correction dated like the original, then a re-rating of everything.
        await PutAsync($"/admin/tenants/{tenant}/prices/sim-1", new { input_per_million = 2m, output_per_million = 10m, effective_from = "2025-01-01T00:00:00Z" });
        var rerate = await PostAsync("/admin/rerate", new { from = "2025-01-01T00:00:00Z", to = DateTimeOffset.UtcNow.AddHours(1), tenant });

        long difference = ((input * 2) + (7 * 10)) - ((input * 3) + (7 * 15));
        var mine = rerate.GetProperty("tenants").EnumerateArray().Single();
        Assert.Equal(difference, mine.GetProperty("difference_micros").GetInt64());
        Assert.Equal(1, mine.GetProperty("events_changed").GetInt32());
        Assert.Contains($"{tenant}/2025-02", rerate.GetProperty("skipped_closed_periods").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(openBefore + difference, (await GetAsync($"/admin/tenants/{tenant}/invoices/{ThisPeriod}")).GetProperty("total_micros").GetInt64());
        Assert.Equal(closedBefore, await GetRawAsync($"/admin/tenants/{tenant}/invoices/2025-02"));
        Assert.Equal(balanceBefore - (difference / 1_000_000m), (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
        Assert.Equal(stored.Select(e => e.GetProperty("cost_micros").GetInt64()).Order(), (await Gateway.ReadEventsAsync(tenant)).Select(e => e.GetProperty("cost_micros").GetInt64()).Order());
        var usage = await GetAsync($"/admin/usage?tenant={tenant}&from={DateTimeOffset.UtcNow:yyyy-MM}-01T00:00:00Z&group_by=model&window=month");
        Assert.Equal(openBefore + difference, usage.GetProperty("data").EnumerateArray().Single().GetProperty("cost_micros").GetInt64());
        Assert.Equal(4500, (await GetAsync($"/admin/tenants/{tenant}/reconciliation")).GetProperty("drift_micros").GetInt64());

        var again = await PostAsync("/admin/rerate", new { from = "2025-01-01T00:00:00Z", to = DateTimeOffset.UtcNow.AddHours(1), tenant });
        Assert.Equal(0, again.GetProperty("events_changed").GetInt32());
        Assert.Equal(balanceBefore - (difference / 1_000_000m), (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
    }

    [Fact]
    public async Task Rerate_TwoMonthsTiered_PositionsRestartEachMonth_OneLedgerEntryForTheTenant()
    {
        var (tenant, _, keyId) = await Gateway.NewTenantAsync(credit: 1m);
        await PutAsync($"/admin/tenants/{tenant}/prices/sim-1", new
        {
            effective_from = "2025-01-01T00:00:00Z",
            tiers = new object[]
            {
                new { up_to = (long?)1500, input_per_million = 2m, output_per_million = 2m },
                new { up_to = (long?)null, input_per_million = 1m, output_per_million = 1m },
            },
        });
        MeteringEvent Unrated(DateTimeOffset at) => PastEvent(tenant, keyId, at, 0) with { OutputTokens = 0, TotalTokens = 1000, CostMicros = 0, PriceId = null, PriceVersion = null, TierPosition = null, MarkupBp = null };
        await Gateway.Services.GetRequiredService<PostgresEventWriter>().WriteAsync(
            [Unrated(new DateTimeOffset(2025, 5, 10, 0, 0, 0, TimeSpan.Zero)), Unrated(new DateTimeOffset(2025, 5, 20, 0, 0, 0, TimeSpan.Zero)), Unrated(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero))],
            CancellationToken.None);

        var rerate = await PostAsync("/admin/rerate", new { from = "2025-05-01T00:00:00Z", to = "2025-07-01T00:00:00Z", tenant });

        // May: 1000 × $2, then 500 × $2 + 500 × $1; June starts from zero again: 1000 × $2.
        var mine = rerate.GetProperty("tenants").EnumerateArray().Single();
        Assert.Equal((3, 2000L + 1500 + 2000), (mine.GetProperty("events_changed").GetInt32(), mine.GetProperty("difference_micros").GetInt64()));
        Assert.Equal(1m - 0.0055m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
        Assert.Equal(2000 + 1500, (await GetAsync($"/admin/tenants/{tenant}/invoices/2025-05")).GetProperty("total_micros").GetInt64());
    }

    [Fact]
    public async Task Plan_OverridesFeeIncludedCreditsAndMarkup_ChargedAndInvoiced()
    {
        var input = await PromptTokensAsync();
        var plan = TestServices.NewTenantId("plan");
        var planJson = await PutAsync($"/admin/plans/{plan}", new { monthly_fee = 49m, included_credits = 0.5m, price_overrides = new Dictionary<string, object> { ["sim-1"] = new { input_per_million = 0.5m, output_per_million = 1m } } });
        Assert.Equal(0.5m, planJson.GetProperty("price_overrides").GetProperty("sim-1").GetProperty("input_per_million").GetDecimal());
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0m);

        await PutAsync($"/admin/tenants/{tenant}/plan", new { plan });
        Assert.Equal(0.5m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal()); // this month's included credits
        await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven);
        await Gateway.EventsAsync(tenant, 1);
        var pricing = await PutAsync($"/admin/tenants/{tenant}/markup", new { markup_percent = 10m });
        await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven);
        var events = (await Gateway.EventsAsync(tenant, 2)).OrderBy(e => e.GetProperty("occurred_at").GetDateTimeOffset()).ToList();

        Assert.Equal((plan, 10m), (pricing.GetProperty("plan").GetString(), pricing.GetProperty("markup_percent").GetDecimal()));
        var plain = (input * 0.5m) + 7m; // micro-USD: $0.50 and $1 per million
        var expected = new[] { (long)Math.Round(plain, MidpointRounding.AwayFromZero), (long)Math.Round(plain * 1.1m, MidpointRounding.AwayFromZero) };
        Assert.Equal(expected, events.Select(e => e.GetProperty("cost_micros").GetInt64()));
        Assert.Equal([0, 1000], events.Select(e => e.GetProperty("markup_bp").GetInt32()));
        var invoice = await GetAsync($"/admin/tenants/{tenant}/invoices/{ThisPeriod}");
        var lines = invoice.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(49m, lines.Single(l => l.GetProperty("type").GetString() == "plan_fee").GetProperty("amount").GetDecimal());
        var usage = expected.Sum();
        Assert.Equal(-usage, lines.Single(l => l.GetProperty("type").GetString() == "credits_applied").GetProperty("amount_micros").GetInt64());
        Assert.Equal(49_000_000, invoice.GetProperty("total_micros").GetInt64());
        Assert.Equal(lines.Sum(l => l.GetProperty("amount_micros").GetInt64()), invoice.GetProperty("total_micros").GetInt64());
    }

    [Fact]
    public async Task CreditExpiry_ExpiringCreditUsedFirst_OnlyTheRestExpires_ByOneLedgerEntry()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0m);
        await PostAsync($"/admin/tenants/{tenant}/credits", new { amount = 1m, idempotency_key = "promo", expires_at = DateTimeOffset.UtcNow.AddSeconds(1.5), priority = 1 }, HttpStatusCode.Created);
        await PostAsync($"/admin/tenants/{tenant}/credits", new { amount = 2m, idempotency_key = "bought" }, HttpStatusCode.Created);
        await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven);
        var cost = (await Gateway.EventsAsync(tenant, 1)).Single().GetProperty("cost_micros").GetInt64();
        Assert.True(cost > 0);

        await Task.Delay(1600);
        var expiry = Gateway.Services.GetRequiredService<Gateway.Metering.Wallets.CreditExpiry>();
        var expiredByTheTest = await expiry.RunAsync(CancellationToken.None) + await expiry.RunAsync(CancellationToken.None);

        // Seen once in a full run (balance 2.999972: nothing expired); the message says what the ledger held then.
        var balance = (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal();
        var reconciliation = await GetAsync($"/admin/tenants/{tenant}/reconciliation");
        Assert.True(balance == 2m, $"balance {balance} (the spend comes out of the promo credit, the rest of it expires); grants expired by the test's runs: {expiredByTheTest}; event cost {cost}; reconciliation {reconciliation}");
        Assert.Equal(0, reconciliation.GetProperty("drift_micros").GetInt64());
    }

    [Fact]
    public async Task PriceVersions_FutureVersionListedButNotYetApplied()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        await PutAsync($"/admin/tenants/{tenant}/prices/sim-1", new { input_per_million = 1m, output_per_million = 2m });
        await PutAsync($"/admin/tenants/{tenant}/prices/sim-1", new { input_per_million = 100m, output_per_million = 200m, effective_from = DateTimeOffset.UtcNow.AddHours(1) });

        var versions = await GetAsync($"/admin/tenants/{tenant}/prices/sim-1/versions");
        var current = await GetAsync($"/admin/tenants/{tenant}/prices/sim-1");
        var completion = (await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven)).Value;

        Assert.Equal([1, 2], versions.GetProperty("data").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(1, current.GetProperty("version").GetInt32());
        Assert.Equal($"tenant:{tenant}", current.GetProperty("scope").GetString());
        var e = (await Gateway.EventsAsync(tenant, 1)).Single();
        Assert.Equal(completion.Usage.InputTokenCount + 14, e.GetProperty("cost_micros").GetInt64());
        Assert.Equal(1, e.GetProperty("price_version").GetInt32());
    }

    [Theory]
    [InlineData("/admin/prices/m1", """{"tiers":[{"up_to":10,"input_per_million":1,"output_per_million":1},{"up_to":5,"input_per_million":1,"output_per_million":1}]}""", "tiers")]
    [InlineData("/admin/prices/m1", """{"tiers":[{"up_to":10,"input_per_million":1,"output_per_million":1}]}""", "tiers")]
    [InlineData("/admin/prices/m1", """{"input_per_million":1,"output_per_million":1,"tier_mode":"stairs"}""", "tier_mode")]
    [InlineData("/admin/prices/m1", """{"tiers":[{"up_to":null,"input_per_million":-1,"output_per_million":1}]}""", "tiers[0].input_per_million")]
    [InlineData("/admin/plans/p1", """{"included_credits":1}""", "monthly_fee")]
    [InlineData("/admin/plans/Bad!", """{"monthly_fee":1}""", "id")]
    [InlineData("/admin/meters/m1", """{"unit_price":-1}""", "unit_price")]
    [InlineData("/admin/meters/m1", """{"unit_price":1,"aggregation":"max"}""", "aggregation")]
    public async Task AdminBilling_BadInput_400InTheOpenAiShape(string path, string body, string param)
    {
        var response = await Gateway.Admin.PutAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("/admin/usage?window=week")]
    [InlineData("/admin/usage?group_by=model,colour")]
    [InlineData("/admin/usage?from=yesterday")]
    [InlineData("/admin/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")]
    [InlineData("/admin/usage?group_by=trace_id")]
    [InlineData("/admin/tenants/t-x/invoices/2026-13")]
    public async Task AdminBillingQueries_BadInput_400(string path)
    {
        var response = await Gateway.Admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request_error", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task ClosePeriod_NotEnded_409AndNothingClosed()
    {
        var response = await Gateway.Admin.PostAsync($"/admin/invoices/{ThisPeriod}/close", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    private async Task<int> PromptTokensAsync()
    {
        var (_, key, _) = await Gateway.NewTenantAsync();
        return (await Chat(key).CompleteChatAsync([new UserChatMessage(Prompt)], Seven)).Value.Usage.InputTokenCount;
    }

    private static MeteringEvent PastEvent(string tenant, string keyId, DateTimeOffset at, long priceId) => new()
    {
        EventId = Guid.CreateVersion7(at),
        OccurredAt = at,
        TenantId = tenant,
        KeyId = keyId,
        Provider = "simulated",
        Endpoint = "/v1/chat/completions",
        Model = "sim-1",
        Status = EventStatus.Completed,
        HttpStatus = 200,
        Billable = true,
        InputTokens = 1000,
        OutputTokens = 100,
        TotalTokens = 1100,
        UsageSource = "provider",
        CostMicros = (1000 * 3) + (100 * 15),
        PriceVersion = 1,
        PriceId = priceId,
        TierPosition = 0,
        MarkupBp = 0,
    };

    private ChatClient Chat(string key) => new OpenAIClient(
        new ApiKeyCredential(key),
        new OpenAIClientOptions { Endpoint = new Uri(Gateway.BaseUrl + "/v1"), RetryPolicy = new ClientRetryPolicy(maxRetries: 0) }).GetChatClient("sim-1");

    private async Task<JsonElement> PutAsync(string path, object body)
    {
        var response = await Gateway.Admin.PutAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> PostAsync(string path, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await Gateway.Admin.PostAsJsonAsync(path, body);
        Assert.True(response.StatusCode == expected, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        var response = await Gateway.Admin.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> GetRawAsync(string path) => await Gateway.Admin.GetStringAsync(path);
}
