using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Low-balance webhooks as a platform meets them: balances moved by real requests through two gateways,
/// one signed webhook per crossing, armed again by a credit.</summary>
[Collection(AlertCollection.Name)]
public sealed class LowBalanceAlertTests(AlertFixture fixture)
{
    private GatewayHost Gateway => fixture.A;

    [Fact]
    public async Task LowBalance_RequestsCrossThreshold_OneSignedWebhookPerCrossing_ReArmedByCredit()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.10m);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (balance, cost) = await fixture.CostOfOneRequestAsync(key, tenant);
        var threshold = balance - (2.5m * cost); // crossed by the third request, never by a hold alone before it
        var put = await fixture.PutAlertsAsync(tenant, new { low_balance = threshold, webhook_url = receiver.Url, secret = AlertFixture.Secret });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.True((await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("armed").GetProperty("low_balance").GetBoolean());

        Assert.Equal(3, await fixture.SpendUntilBelowAsync(key, tenant, threshold));
        var first = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        await AlertFixture.ChatAsync(key, fixture.B); // still below: no new crossing
        await AlertFixture.ChatAsync(key, fixture.A);
        Assert.True(await fixture.AvailableAsync(tenant) < threshold);
        await Task.Delay(AlertFixture.Settle);

        Assert.Single(receiver.Hits);
        Assert.Equal("POST", first.Method);
        Assert.Equal("/hooks/gateway?source=test", first.PathAndQuery);
        Assert.True(first.SignedWith(AlertFixture.Secret));
        Assert.False(first.SignedWith(AlertFixture.Secret + "x"));
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
        var refill = threshold + (2.5m * cost) - await fixture.SettledAvailableAsync(tenant);
        var credit = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = refill, idempotency_key = "refill-1" });
        Assert.Equal(HttpStatusCode.Created, credit.StatusCode);
        await fixture.WaitArmedAsync(tenant, "low_balance", true);
        Assert.Equal(3, await fixture.SpendUntilBelowAsync(key, tenant, threshold));

        var hits = await receiver.WaitForAsync(h => h.Count >= 2);
        await Task.Delay(AlertFixture.Settle);
        Assert.Equal(2, receiver.Hits.Count);
        Assert.Equal(2, hits.Select(h => h.Id).Distinct().Count());
        Assert.All(receiver.Hits, h => Assert.True(h.SignedWith(AlertFixture.Secret)));
        await fixture.DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task LowBalance_HoldOfARequestInFlight_NoAlertUntilItsCostIsSettled()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.10m);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (balance, cost) = await fixture.CostOfOneRequestAsync(key, tenant);
        var threshold = balance - decimal.Round(cost / 2, 6); // within one hold of the balance: only a request in flight dips under it
        Assert.Equal(HttpStatusCode.OK, (await fixture.PutAlertsAsync(tenant, new { low_balance = threshold, webhook_url = receiver.Url, secret = AlertFixture.Secret })).StatusCode);

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
        await Task.Delay(AlertFixture.Settle);
        Assert.Single(receiver.Hits);
        Assert.Equal(balance - cost, hit.Json().GetProperty("data").GetProperty("balance").GetDecimal());
        await fixture.DeleteAlertsAsync(tenant);
    }
}
