using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Delivery from the outbox: a failing receiver gets the same id and body again until it answers 2xx, or
/// until the attempts run out.</summary>
[Collection(AlertCollection.Name)]
public sealed class WebhookDeliveryTests(AlertFixture fixture)
{
    private GatewayHost Gateway => fixture.A;

    [Fact]
    public async Task Webhook_ReceiverFailsTwice_RetriedWithSameIdAndBody_ThenDelivered()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 1m);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        Assert.Equal(HttpStatusCode.OK, (await fixture.PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = AlertFixture.Secret })).StatusCode);
        // No secret in the second PUT: the first one is kept, and signs.
        Assert.Equal(HttpStatusCode.OK, (await fixture.PutAlertsAsync(tenant, new { webhook_url = receiver.Url, low_balance = 5 })).StatusCode); // $1 < $5 at once

        var hits = await receiver.WaitForAsync(h => h.Any(x => x.Accepted));
        await Task.Delay(AlertFixture.Settle);

        Assert.Equal(3, receiver.Hits.Count);
        Assert.Equal([false, false, true], receiver.Hits.Select(h => h.Accepted));
        Assert.Single(hits.Select(h => h.Id).Distinct());
        Assert.All(hits, h => Assert.Equal(hits[0].Body, h.Body));
        Assert.Equal(["1", "2", "3"], receiver.Hits.Select(h => h.Headers["X-Gateway-Delivery-Attempt"]));
        Assert.All(hits, h => Assert.True(h.SignedWith(AlertFixture.Secret)));
        var record = await fixture.WaitWebhookAsync(tenant, w => w.GetProperty("status").GetString() == "delivered");
        Assert.Equal(3, record.GetProperty("attempts").GetInt32());
        Assert.Equal(200, record.GetProperty("last_status").GetInt32());
        Assert.Equal(hits[0].Id, record.GetProperty("id").GetString());
        Assert.Equal("wallet.low_balance", record.GetProperty("payload").GetProperty("type").GetString());
        await fixture.DeleteAlertsAsync(tenant);
    }

    [Fact]
    public async Task Webhook_ReceiverAlwaysFails_GivenUpAfterMaxAttempts()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 1m);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: -1);

        Assert.Equal(HttpStatusCode.OK, (await fixture.PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = AlertFixture.Secret, low_balance = 5 })).StatusCode);

        var record = await fixture.WaitWebhookAsync(tenant, w => w.GetProperty("status").GetString() == "failed");
        await Task.Delay(AlertFixture.Settle);
        Assert.Equal(4, record.GetProperty("attempts").GetInt32()); // AlertFixture's Alerts:MaxAttempts
        Assert.Equal(503, record.GetProperty("last_status").GetInt32());
        Assert.Equal("HTTP 503", record.GetProperty("last_error").GetString());
        Assert.Equal(4, receiver.Hits.Count);
        await fixture.DeleteAlertsAsync(tenant);
    }
}
