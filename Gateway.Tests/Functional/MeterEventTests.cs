using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Non-token meters (issue #6): reported with the tenant's key, idempotent, charged once, on the invoice.</summary>
[Collection(GatewayCollection.Name)]
public sealed class MeterEventTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    [Fact]
    public async Task MeterEvents_OneOrABatch_IdempotentChargedOnceAndInvoiced()
    {
        var meter = await NewMeterAsync(0.01m);
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 1m);
        using var client = Gateway.Client(key);

        var single = await PostAsync(client, new { event_id = "call-1", meter, quantity = 3, metadata = new { tool = "web_search" } });
        var batch = await PostAsync(client, new object[] { new { event_id = "call-1", meter, quantity = 3 }, new { event_id = "call-2", meter, quantity = 1.5m } });
        var repeat = await PostAsync(client, new { event_id = "call-2", meter, quantity = 99 });

        Assert.Equal(("recorded", 0.03m), Outcome(single, 0));
        Assert.Equal(("duplicate", 0.03m), Outcome(batch, 0));
        Assert.Equal(("recorded", 0.015m), Outcome(batch, 1));
        Assert.Equal(("duplicate", 0.015m), Outcome(repeat, 0)); // the first report stands
        Assert.Equal(1m - 0.045m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
        var invoice = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/invoices/{DateTimeOffset.UtcNow:yyyy-MM}");
        var line = invoice.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("type").GetString() == "meter");
        Assert.Equal((meter, 4.5m, 45_000L), (line.GetProperty("meter").GetString(), line.GetProperty("quantity").GetDecimal(), line.GetProperty("amount_micros").GetInt64()));
        Assert.Equal(45_000, invoice.GetProperty("total_micros").GetInt64());
        Assert.Equal(0, (await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/reconciliation")).GetProperty("drift_micros").GetInt64());
    }

    [Fact]
    public async Task MeterEvents_SameIdFromAnotherTenant_IsItsOwn()
    {
        var meter = await NewMeterAsync(1m);
        var (a, keyA, _) = await Gateway.NewTenantAsync(credit: 10m);
        var (b, keyB, _) = await Gateway.NewTenantAsync(credit: 10m);
        using var clientA = Gateway.Client(keyA);
        using var clientB = Gateway.Client(keyB);

        await PostAsync(clientA, new { event_id = "shared", meter, quantity = 1 });
        var fromB = await PostAsync(clientB, new { event_id = "shared", meter, quantity = 2 });

        Assert.Equal(("recorded", 2m), Outcome(fromB, 0));
        Assert.Equal(9m, (await Gateway.WalletAsync(a)).GetProperty("balance").GetDecimal());
        Assert.Equal(8m, (await Gateway.WalletAsync(b)).GetProperty("balance").GetDecimal());
    }

    [Theory]
    [InlineData("""{"event_id":"x","meter":"no-such-meter","quantity":1}""", "meter")]
    [InlineData("""{"event_id":"x","meter":"{meter}","quantity":-1}""", "quantity")]
    [InlineData("""{"event_id":"x","meter":"{meter}","quantity":1.0000001}""", "quantity")]
    [InlineData("""{"meter":"{meter}","quantity":1}""", "event_id")]
    [InlineData("""{"event_id":"x","meter":"{meter}","quantity":1,"occurred_at":"2001-01-01T00:00:00Z"}""", "occurred_at")]
    [InlineData("""[{"event_id":"ok","meter":"{meter}","quantity":1},{"event_id":"ok","meter":"{meter}","quantity":1}]""", "event_id")]
    [InlineData("""[{"event_id":"ok","meter":"{meter}","quantity":1},{"event_id":"bad","meter":"{meter}","quantity":"a lot"}]""", null)]
    [InlineData("""{"event_id":"x","meter":"{meter}","quantity":1,"metadata":{"k":"a\u0000b"}}""", "metadata")]
    [InlineData("""{"event_id":"x","meter":"{meter}","quantity":1,"metadata":[1]}""", "metadata")]
    [InlineData("""[]""", null)]
    [InlineData("""{"event_id":""", null)]
    public async Task MeterEvents_BadInput_400AndNothingStoredOrCharged(string body, string? param)
    {
        var meter = await NewMeterAsync(1m);
        var (tenant, key, _) = await Gateway.NewTenantAsync(credit: 10m);
        using var client = Gateway.Client(key);

        var response = await client.PostAsync("/v1/meter-events", new StringContent(body.Replace("{meter}", meter, StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        Assert.Equal(10m, (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal());
        Assert.Equal(("recorded", 1m), Outcome(await PostAsync(client, new { event_id = "ok", meter, quantity = 1 }), 0)); // the batch stored nothing
    }

    [Fact]
    public async Task MeterEvents_NoKey_401()
    {
        using var client = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };

        var response = await client.PostAsJsonAsync("/v1/meter-events", new { event_id = "x", meter = "m", quantity = 1 });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<string> NewMeterAsync(decimal unitPrice)
    {
        var meter = TestServices.NewTenantId("meter");
        var response = await Gateway.Admin.PutAsJsonAsync($"/admin/meters/{meter}", new { unit_price = unitPrice, aggregation = "sum" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return meter;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/v1/meter-events", body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static (string?, decimal) Outcome(JsonElement list, int index)
    {
        var item = list.GetProperty("data")[index];
        return (item.GetProperty("status").GetString(), item.GetProperty("cost").GetDecimal());
    }
}
