using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>
/// Low-balance, auto top-up and spend-spike webhooks end to end: balances moved by real requests through the
/// gateway, two gateways deciding, a receiver on Kestrel that checks signatures and fails on purpose.
/// </summary>
public sealed class AlertTests(AlertFixture fixture) : IClassFixture<AlertFixture>
{
    private const string Secret = "whsec_test_0123456789abcdef";
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(1500); // many detection cycles of both gateways

    private GatewayHost Gateway => fixture.A;

    [Fact]
    public async Task LowBalance_RequestsCrossThreshold_OneSignedWebhookPerCrossing_ReArmedByCredit()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.10m);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (balance, cost) = await CostOfOneRequestAsync(key, tenant);
        var threshold = balance - (2.5m * cost); // crossed by the third request, never by a hold alone before it
        var put = await PutAlertsAsync(tenant, new { low_balance = threshold, webhook_url = receiver.Url, secret = Secret });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("armed").GetProperty("low_balance").GetBoolean());

        Assert.Equal(3, await SpendUntilBelowAsync(key, tenant, threshold));
        var first = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        await ChatAsync(key, fixture.B); // still below: no new crossing
        await ChatAsync(key, fixture.A);
        Assert.True(await AvailableAsync(tenant) < threshold);
        await Task.Delay(Settle);

        Assert.Single(receiver.Hits);
        Assert.Equal("POST", first.Method);
        Assert.Equal("/hooks/gateway?source=test", first.PathAndQuery);
        Assert.True(first.SignedWith(Secret));
        Assert.False(first.SignedWith(Secret + "x"));
        Assert.StartsWith("application/json", first.Headers["Content-Type"]);
        var body = first.Json();
        Assert.Equal(first.Id, body.GetProperty("id").GetString());
        Assert.Equal("wallet.low_balance", body.GetProperty("type").GetString());
        Assert.Equal("wallet.low_balance", first.Headers["X-Gateway-Event-Type"]);
        Assert.Equal(tenant, body.GetProperty("tenant_id").GetString());
        Assert.True(body.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        var data = body.GetProperty("data");
        Assert.Equal(threshold, data.GetProperty("threshold").GetDecimal());
        Assert.InRange(data.GetProperty("balance").GetDecimal(), 0m, threshold - 0.000001m);
        Assert.Equal(data.GetProperty("balance").GetDecimal() - data.GetProperty("held").GetDecimal(), data.GetProperty("available").GetDecimal());
        Assert.Equal("USD", data.GetProperty("currency").GetString());

        // Back to 2.5 requests above the threshold: armed again, and the third request crosses again.
        var refill = threshold + (2.5m * cost) - await SettledAvailableAsync(tenant);
        var credit = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = refill, idempotency_key = "refill-1" });
        Assert.Equal(HttpStatusCode.Created, credit.StatusCode);
        await WaitArmedAsync(tenant, "low_balance", true);
        Assert.Equal(3, await SpendUntilBelowAsync(key, tenant, threshold));

        var hits = await receiver.WaitForAsync(h => h.Count >= 2);
        await Task.Delay(Settle);
        Assert.Equal(2, receiver.Hits.Count);
        Assert.Equal(2, hits.Select(h => h.Id).Distinct().Count());
        Assert.All(receiver.Hits, h => Assert.True(h.SignedWith(Secret)));
        await DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task LowBalance_HoldOfARequestInFlight_NoAlertUntilItsCostIsSettled()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.10m);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (balance, cost) = await CostOfOneRequestAsync(key, tenant);
        var threshold = balance - decimal.Round(cost / 2, 6); // within one hold of the balance: only a request in flight dips under it
        Assert.Equal(HttpStatusCode.OK, (await PutAlertsAsync(tenant, new { low_balance = threshold, webhook_url = receiver.Url, secret = Secret })).StatusCode);

        using var client = Gateway.Client(key);
        using var slow = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{AlertFixture.Model}}","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        slow.Headers.Add("X-Simulator-Chunk-Delay-Ms", "200");
        using var response = await client.SendAsync(slow, HttpCompletionOption.ResponseHeadersRead);
        var during = await Gateway.WalletAsync(tenant);
        Assert.True(during.GetProperty("available").GetDecimal() < threshold, "the hold should take the available balance under the threshold");
        Assert.Equal(balance, during.GetProperty("balance").GetDecimal());
        await Task.Delay(TimeSpan.FromMilliseconds(1000)); // ten detection cycles of each gateway with the hold in place
        Assert.Empty(receiver.Hits);

        await response.Content.ReadAsStringAsync();
        var hit = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        await Task.Delay(Settle);
        Assert.Single(receiver.Hits);
        Assert.Equal(balance - cost, hit.Json().GetProperty("data").GetProperty("balance").GetDecimal());
        await DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task Webhook_ReceiverFailsTwice_RetriedWithSameIdAndBody_ThenDelivered()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 1m);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        Assert.Equal(HttpStatusCode.OK, (await PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = Secret })).StatusCode);
        // No secret in the second PUT: the first one is kept, and signs.
        Assert.Equal(HttpStatusCode.OK, (await PutAlertsAsync(tenant, new { webhook_url = receiver.Url, low_balance = 5 })).StatusCode); // $1 < $5 at once

        var hits = await receiver.WaitForAsync(h => h.Any(x => x.Accepted));
        await Task.Delay(Settle);

        Assert.Equal(3, receiver.Hits.Count);
        Assert.Equal([false, false, true], receiver.Hits.Select(h => h.Accepted));
        Assert.Single(hits.Select(h => h.Id).Distinct());
        Assert.All(hits, h => Assert.Equal(hits[0].Body, h.Body));
        Assert.Equal(["1", "2", "3"], receiver.Hits.Select(h => h.Headers["X-Gateway-Delivery-Attempt"]));
        Assert.All(hits, h => Assert.True(h.SignedWith(Secret)));
        var record = await WaitWebhookAsync(tenant, w => w.GetProperty("status").GetString() == "delivered");
        Assert.Equal(3, record.GetProperty("attempts").GetInt32());
        Assert.Equal(200, record.GetProperty("last_status").GetInt32());
        Assert.Equal(hits[0].Id, record.GetProperty("id").GetString());
        Assert.Equal("wallet.low_balance", record.GetProperty("payload").GetProperty("type").GetString());
        await DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task Webhook_ReceiverAlwaysFails_GivenUpAfterMaxAttempts()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 1m);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: -1);

        Assert.Equal(HttpStatusCode.OK, (await PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = Secret, low_balance = 5 })).StatusCode);

        var record = await WaitWebhookAsync(tenant, w => w.GetProperty("status").GetString() == "failed");
        await Task.Delay(Settle);
        Assert.Equal(4, record.GetProperty("attempts").GetInt32()); // AlertFixture's Alerts:MaxAttempts
        Assert.Equal(503, record.GetProperty("last_status").GetInt32());
        Assert.Equal("HTTP 503", record.GetProperty("last_error").GetString());
        Assert.Equal(4, receiver.Hits.Count);
        await DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task AutoTopUp_Crossing_RequestsTopUpWithKey_ConfirmedTwiceCreditsOnce_ReArmsOnlyAboveBelow()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.10m);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (balance, cost) = await CostOfOneRequestAsync(key, tenant);
        var below = balance - (2.5m * cost);
        var amount = 3 * cost; // with the 1 µUSD crumb below: 2.5 requests above `below` again
        Assert.Equal(HttpStatusCode.OK, (await PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = Secret, auto_top_up = new { below, amount } })).StatusCode);

        Assert.Equal(3, await SpendUntilBelowAsync(key, tenant, below));
        var request = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        Assert.True(request.SignedWith(Secret));
        var body = request.Json();
        Assert.Equal("wallet.top_up_requested", body.GetProperty("type").GetString());
        var data = body.GetProperty("data");
        var idempotencyKey = data.GetProperty("idempotency_key").GetString()!;
        Assert.Contains(request.Id.Replace("-", ""), idempotencyKey);
        Assert.Equal(amount, data.GetProperty("amount").GetDecimal());
        Assert.Equal(below, data.GetProperty("below").GetDecimal());

        // A credit that leaves the balance below does not re-arm the rule: still one request.
        Assert.Equal(HttpStatusCode.Created, (await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 0.000001, idempotency_key = "crumb" })).StatusCode);
        await Task.Delay(Settle);
        Assert.False(await ArmedAsync(tenant, "auto_top_up"));
        Assert.Single(receiver.Hits);

        // The platform charged its customer and confirms, twice (a retry on its side): one credit.
        var before = (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal();
        var confirm = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount, idempotency_key = idempotencyKey, note = "auto top-up" });
        var again = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount, idempotency_key = idempotencyKey, note = "auto top-up" });
        Assert.Equal(HttpStatusCode.Created, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var firstCredit = (await confirm.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credit").GetProperty("id").GetInt64();
        Assert.Equal(firstCredit, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credit").GetProperty("id").GetInt64());
        Assert.Equal(before + amount, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());

        await WaitArmedAsync(tenant, "auto_top_up", true); // back above `below`
        Assert.Equal(3, await SpendUntilBelowAsync(key, tenant, below));
        var hits = await receiver.WaitForAsync(h => h.Count >= 2);
        await Task.Delay(Settle);
        Assert.Equal(2, receiver.Hits.Count);
        var keys = hits.Select(h => h.Json().GetProperty("data").GetProperty("idempotency_key").GetString()).ToList();
        Assert.Equal(2, keys.Distinct().Count());
        await DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task SpendSpike_BurstAboveFloor_FiresOncePerEpisode()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 100m);
        await using var receiver = await WebhookReceiver.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = Secret, spend_spike = new { multiple = 3, window_minutes = 60, min_tokens_per_minute = 150 } })).StatusCode);

        await ChatAsync(key, Gateway); // ~20 tokens: under the floor, no spike
        await Gateway.EventsAsync(tenant, 1);
        await Task.Delay(Settle);
        Assert.Empty(receiver.Hits);

        for (var i = 0; i < 10; i++)
        {
            await ChatAsync(key, i % 2 == 0 ? fixture.A : fixture.B);
        }

        var spike = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        for (var i = 0; i < 5; i++)
        {
            await ChatAsync(key, Gateway); // the same episode
        }

        await Gateway.EventsAsync(tenant, 16);
        await Task.Delay(Settle);
        Assert.Single(receiver.Hits);
        Assert.True(spike.SignedWith(Secret));
        var body = spike.Json();
        Assert.Equal("usage.spend_spike", body.GetProperty("type").GetString());
        var data = body.GetProperty("data");
        Assert.True(data.GetProperty("tokens_last_minute").GetInt64() >= 150);
        Assert.Equal(0m, data.GetProperty("trailing_average_per_minute").GetDecimal());
        Assert.Equal(3m, data.GetProperty("multiple").GetDecimal());
        Assert.Equal(60, data.GetProperty("window_minutes").GetInt32());
        Assert.Equal(150, data.GetProperty("min_tokens_per_minute").GetInt64());
        Assert.False(await ArmedAsync(tenant, "spend_spike"));
        await DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task GetAlerts_SecretMasked_RulesAndStateShown_DeleteRemoves()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 100m);
        const string secret = "abcdefghijklmnop-WXYZ";

        var put = await PutAlertsAsync(tenant, new
        {
            low_balance = 5,
            webhook_url = "http://127.0.0.1:9/hooks?x=1",
            secret,
            spend_spike = new { multiple = 4.5 },
            auto_top_up = new { below = 5, amount = 20 },
        });
        var read = await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/alerts");
        var text = await read.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.DoesNotContain("abcdefghijklmnop", text);
        Assert.DoesNotContain("abcdefghijklmnop", await put.Content.ReadAsStringAsync());
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("****WXYZ", body.GetProperty("secret").GetString());
        Assert.Equal(5m, body.GetProperty("low_balance").GetDecimal());
        Assert.Equal("http://127.0.0.1:9/hooks?x=1", body.GetProperty("webhook_url").GetString());
        Assert.Equal(4.5m, body.GetProperty("spend_spike").GetProperty("multiple").GetDecimal());
        Assert.Equal(60, body.GetProperty("spend_spike").GetProperty("window_minutes").GetInt32());
        Assert.Equal(1000, body.GetProperty("spend_spike").GetProperty("min_tokens_per_minute").GetInt64());
        Assert.Equal(20m, body.GetProperty("auto_top_up").GetProperty("amount").GetDecimal());
        Assert.Equal(JsonValueKind.True, body.GetProperty("armed").GetProperty("low_balance").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.Admin.DeleteAsync($"/admin/tenants/{tenant}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.Admin.DeleteAsync($"/admin/tenants/{tenant}/alerts")).StatusCode);
    }

    [Theory]
    [InlineData("""{"secret":"0123456789abcdef"}""", "webhook_url")]
    [InlineData("""{"webhook_url":"/relative","secret":"0123456789abcdef"}""", "webhook_url")]
    [InlineData("""{"webhook_url":"ftp://127.0.0.1:9/h","secret":"0123456789abcdef"}""", "webhook_url")]
    [InlineData("""{"webhook_url":"https://user:pw@127.0.0.1:9/h","secret":"0123456789abcdef"}""", "webhook_url")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h"}""", "secret")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"short"}""", "secret")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"****0123456789abcdef"}""", "secret")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","low_balance":0}""", "low_balance")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","low_balance":-5}""", "low_balance")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","low_balance":1.0000001}""", "low_balance")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","spend_spike":{}}""", "spend_spike.multiple")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","spend_spike":{"multiple":1}}""", "spend_spike.multiple")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","spend_spike":{"multiple":3,"window_minutes":0}}""", "spend_spike.window_minutes")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","spend_spike":{"multiple":3,"min_tokens_per_minute":-1}}""", "spend_spike.min_tokens_per_minute")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","auto_top_up":{"below":5}}""", "auto_top_up.amount")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","auto_top_up":{"amount":20}}""", "auto_top_up.below")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","auto_top_up":{"below":-1,"amount":20}}""", "auto_top_up.below")]
    [InlineData("""{"webhook_url":"http://127.0.0.1:9/h","secret":"0123456789abcdef","low_balance":"5"}""", null)]
    [InlineData("""{"webhook_url":""", null)]
    [InlineData("""[1,2]""", null)]
    public async Task PutAlerts_BadBody_400InOpenAiShape(string body, string? param)
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 0m);

        var response = await Gateway.Admin.PutAsync($"/admin/tenants/{tenant}/alerts", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, param is null ? "invalid_json" : "invalid_request");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, json.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/alerts")).StatusCode);
    }

    [Fact]
    public async Task AlertRoutes_UnknownTenant_404()
    {
        var tenant = TestServices.NewTenantId();

        var put = await PutAlertsAsync(tenant, new { webhook_url = "http://127.0.0.1:9/h", secret = Secret, low_balance = 5 });
        var get = await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/alerts");
        var delete = await Gateway.Admin.DeleteAsync($"/admin/tenants/{tenant}/alerts");
        var webhooks = await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/webhooks");
        var badId = await PutAlertsAsync("Not An Id", new { webhook_url = "http://127.0.0.1:9/h", secret = Secret });

        foreach (var response in new[] { put, get, delete, webhooks, badId })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await BadInputTests.AssertOpenAiError(response, "not_found");
        }
    }

    [Fact]
    public async Task Webhooks_BadLimit_400()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 0m);

        var response = await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/webhooks?limit=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "invalid_request");
    }

    private Task<HttpResponseMessage> PutAlertsAsync(string tenant, object body) => Gateway.Admin.PutAsJsonAsync($"/admin/tenants/{Uri.EscapeDataString(tenant)}/alerts", body);

    private async Task DeleteAlertsAsync(string tenant)
        => Assert.Equal(HttpStatusCode.NoContent, (await Gateway.Admin.DeleteAsync($"/admin/tenants/{tenant}/alerts")).StatusCode);

    private static async Task ChatAsync(string key, GatewayHost gateway)
    {
        using var client = gateway.Client(key);
        var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"{{AlertFixture.Model}}","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Real requests, alternating gateways, until the available balance is below <paramref name="threshold"/>;
    /// returns how many it took.</summary>
    private async Task<int> SpendUntilBelowAsync(string key, string tenant, decimal threshold)
    {
        for (var i = 0; i < 40; i++)
        {
            if (await SettledAvailableAsync(tenant) < threshold)
            {
                return i;
            }

            await ChatAsync(key, i % 2 == 0 ? fixture.A : fixture.B);
        }

        throw new InvalidOperationException("The balance never went below the threshold.");
    }

    /// <summary>The balance, and the exact cost of one <see cref="ChatAsync"/> (the same every time: the simulator
    /// answers max_tokens tokens).</summary>
    private async Task<(decimal Balance, decimal Cost)> CostOfOneRequestAsync(string key, string tenant)
    {
        var before = await SettledAvailableAsync(tenant);
        await ChatAsync(key, Gateway);
        var after = await SettledAvailableAsync(tenant);
        Assert.True(after < before);
        return (after, before - after);
    }

    /// <summary>The available balance once no request holds anything.</summary>
    private async Task<decimal> SettledAvailableAsync(string tenant)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var wallet = await Gateway.WalletAsync(tenant);
            if (wallet.GetProperty("held").GetDecimal() == 0 || DateTime.UtcNow > deadline)
            {
                return wallet.GetProperty("available").GetDecimal();
            }

            await Task.Delay(25);
        }
    }

    private async Task<decimal> AvailableAsync(string tenant) => (await Gateway.WalletAsync(tenant)).GetProperty("available").GetDecimal();

    private async Task<bool> ArmedAsync(string tenant, string kind)
        => (await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/alerts")).GetProperty("armed").GetProperty(kind).GetBoolean();

    private async Task WaitArmedAsync(string tenant, string kind, bool armed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await ArmedAsync(tenant, kind) != armed)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{kind} never became armed={armed}");
            await Task.Delay(50);
        }
    }

    private async Task<JsonElement> WaitWebhookAsync(string tenant, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/webhooks");
            var found = list.GetProperty("data").EnumerateArray().Where(done).ToList();
            if (found.Count > 0)
            {
                return Assert.Single(list.GetProperty("data").EnumerateArray());
            }

            Assert.True(DateTime.UtcNow < deadline, "The webhook never reached the state expected: " + list);
            await Task.Delay(50);
        }
    }
}
