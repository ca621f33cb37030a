using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Export;

/// <summary>The exporter as the gateway runs it: configured under <c>Export</c>, checked at start, sending the events of
/// real requests.</summary>
public sealed class ExportGatewayTests
{
    [Fact]
    public async Task Gateway_ExportConfigured_SendsEveryRequestsEventToTheTarget()
    {
        await using var fake = await FakeBillingEndpoint.StartAsync();
        var tenant = TestServices.NewTenantId();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Export:Target"] = "openmeter",
            ["Export:Endpoint"] = fake.BaseUrl,
            ["Export:Tenants:0"] = tenant,
            ["Export:Customers:" + tenant] = "sub_42",
            ["Export:Cursor"] = "e2e-" + tenant,
            ["Export:Lag"] = "00:00:00",
            ["Export:Interval"] = "00:00:00.100",
            ["Export:OpenMeter:Type"] = "tokens",
        });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway);
        Assert.Equal(HttpStatusCode.Created, (await gateway.Admin.PostAsJsonAsync("/admin/tenants", new { id = tenant, name = "Export" })).StatusCode);
        var created = await gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "k" });
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await gateway.Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = 5, idempotency_key = "seed" })).StatusCode);
        using (var client = gateway.Client(key))
        {
            for (var i = 0; i < 3; i++)
            {
                var answer = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"sim-1","max_tokens":4,"messages":[{"role":"user","content":"hello there"}]}""", Encoding.UTF8, "application/json"));
                answer.EnsureSuccessStatusCode();
            }
        }

        var events = await gateway.EventsAsync(tenant, 3);
        await fake.WaitForStoredAsync(3);

        foreach (var e in events)
        {
            var sent = fake.Stored[e.GetProperty("event_id").GetString()!].Body;
            Assert.Equal("sub_42", sent.GetProperty("subject").GetString());
            Assert.Equal("tokens", sent.GetProperty("type").GetString());
            var data = sent.GetProperty("data");
            Assert.Equal(e.GetProperty("input_tokens").GetInt64(), data.GetProperty("input_tokens").GetInt64());
            Assert.Equal(4, data.GetProperty("output_tokens").GetInt64());
            Assert.Equal(e.GetProperty("cost_micros").GetInt64(), data.GetProperty("cost_micros").GetInt64());
            Assert.True(data.GetProperty("cost_micros").GetInt64() > 0);
        }
    }

    [Fact]
    public async Task Start_ExportOff_OtherExportSettingsIgnored()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Export:Endpoint"] = "not a url" });

        Assert.Equal(HttpStatusCode.OK, (await gateway.Admin.GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("Export:Target=mystery", "Export:Target")]
    [InlineData("Export:Target=stripe", "Export:ApiKey")]
    [InlineData("Export:Target=lago;Export:ApiKey=k;Export:Endpoint=ftp://billing", "Export:Endpoint")]
    [InlineData("Export:Target=openmeter;Export:Endpoint=https://user:pw@billing.example", "Export:Endpoint")]
    [InlineData("Export:Target=stripe;Export:ApiKey=k;Export:Stripe:Meters:llm_tokens=tokens", "Export:Stripe:Meters:llm_tokens")]
    [InlineData("Export:Target=lago;Export:ApiKey=k;Export:Lago:CustomerField=customer", "Export:Lago:CustomerField")]
    [InlineData("Export:Target=openmeter;Export:BatchSize=0", "BatchSize")]
    [InlineData("Export:Target=openmeter;Export:Interval=00:00:00", "Export:Interval")]
    public async Task Start_BadExportSetting_FailsNamingTheKey(string settings, string named)
    {
        var config = settings.Split(';').Select(s => s.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHost.StartAsync(config));

        var text = error is Microsoft.Extensions.Options.OptionsValidationException options ? string.Join("\n", options.Failures) + error.Message : error.ToString();
        Assert.Contains(named, text);
    }
}
