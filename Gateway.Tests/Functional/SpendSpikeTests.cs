using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Spend spikes: a burst of real requests above the floor and the trailing average fires once per episode.</summary>
[Collection(AlertCollection.Name)]
public sealed class SpendSpikeTests(AlertFixture fixture)
{
    private GatewayHost Gateway => fixture.A;

    [Fact]
    public async Task SpendSpike_BurstAboveFloor_FiresOncePerEpisode()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 100m);
        await using var receiver = await WebhookReceiver.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await fixture.PutAlertsAsync(tenant, new { webhook_url = receiver.Url, secret = AlertFixture.Secret, spend_spike = new { multiple = 3, window_minutes = 60, min_tokens_per_minute = 150 } })).StatusCode);

        await AlertFixture.ChatAsync(key, Gateway); // ~20 tokens: under the floor, no spike
        await Gateway.EventsAsync(tenant, 1);
        await Task.Delay(AlertFixture.Settle);
        Assert.Empty(receiver.Hits);

        for (var i = 0; i < 10; i++)
        {
            await AlertFixture.ChatAsync(key, i % 2 == 0 ? fixture.A : fixture.B);
        }

        var spike = (await receiver.WaitForAsync(h => h.Count >= 1)).Single();
        for (var i = 0; i < 5; i++)
        {
            await AlertFixture.ChatAsync(key, Gateway); // the same episode
        }

        await Gateway.EventsAsync(tenant, 16);
        await Task.Delay(AlertFixture.Settle);
        Assert.Single(receiver.Hits);
        Assert.True(spike.SignedWith(AlertFixture.Secret));
        var body = spike.Json();
        Assert.Equal("usage.spend_spike", body.GetProperty("type").GetString());
        var data = body.GetProperty("data");
        Assert.True(data.GetProperty("tokens_last_minute").GetInt64() >= 150);
        Assert.Equal(0m, data.GetProperty("trailing_average_per_minute").GetDecimal());
        Assert.Equal(3m, data.GetProperty("multiple").GetDecimal());
        Assert.Equal(60, data.GetProperty("window_minutes").GetInt32());
        Assert.Equal(150, data.GetProperty("min_tokens_per_minute").GetInt64());
        Assert.False(await fixture.ArmedAsync(tenant, "spend_spike"));
        await fixture.DeleteAlertsAsync(tenant);
    }
}
