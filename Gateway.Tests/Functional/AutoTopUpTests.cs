using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Auto top-up: one request per crossing with an idempotency key that credits once, however often confirmed;
/// asked again only once the balance was back above <c>below</c>.</summary>
[Collection(AlertCollection.Name)]
public sealed class AutoTopUpTests(AlertFixture fixture)
{
    private GatewayHost Gateway => fixture.A;

    [Fact]
    public async Task AutoTopUp_Crossing_RequestsTopUpWithKey_ConfirmedTwiceCreditsOnce_ReArmsOnlyAboveBelow()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 0.10m);
        await using var receiver = await WebhookReceiver.StartAsync();
        var (balance, cost) = await fixture.CostOfOneRequestAsync(key, tenant);
        var below = balance - (2.5m * cost);
        var amount = 3 * cost; // with the 1 µUSD crumb below: 2.5 requests above `below` again
        Assert.Equal(HttpStatusCode.OK, (await fixture.PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = AlertFixture.Secret, auto_top_up = new { below, amount } })).StatusCode);

        Assert.Equal(3, await fixture.SpendUntilBelowAsync(key, tenant, below));
        var request = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        Assert.True(request.SignedWith(AlertFixture.Secret));
        var body = request.Json();
        Assert.Equal("wallet.top_up_requested", body.GetProperty("type").GetString());
        var data = body.GetProperty("data");
        var idempotencyKey = data.GetProperty("idempotency_key").GetString()!;
        Assert.Contains(request.Id.Replace("-", ""), idempotencyKey);
        Assert.Equal(amount, data.GetProperty("amount").GetDecimal());
        Assert.Equal(below, data.GetProperty("below").GetDecimal());

        // A credit that leaves the balance below does not re-arm the rule: still one request.
        Assert.Equal(HttpStatusCode.Created, (await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 0.000001, idempotency_key = "crumb" })).StatusCode);
        await Task.Delay(AlertFixture.Settle);
        Assert.False(await fixture.ArmedAsync(tenant, "auto_top_up"));
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

        await fixture.WaitArmedAsync(tenant, "auto_top_up", true); // back above `below`
        Assert.Equal(3, await fixture.SpendUntilBelowAsync(key, tenant, below));
        var hits = await receiver.WaitForAsync(h => h.Count >= 2);
        await Task.Delay(AlertFixture.Settle);
        Assert.Equal(2, receiver.Hits.Count);
        var keys = hits.Select(h => h.Json().GetProperty("data").GetProperty("idempotency_key").GetString()).ToList();
        Assert.Equal(2, keys.Distinct().Count());
        await fixture.DeleteAlertsAsync(tenant);
    }
}
