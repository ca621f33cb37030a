using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>The alert routes as the admin API contract says: masked secret, rules and armed flags, 400s in the OpenAI
/// shape, 404 for an unknown tenant.</summary>
[Collection(AlertCollection.Name)]
public sealed class AlertAdminTests(AlertFixture fixture)
{
    private GatewayHost Gateway => fixture.A;

    [Fact]
    public async Task GetAlerts_SecretMasked_RulesAndStateShown_DeleteRemoves()
    {
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 100m);
        const string secret = "abcdefghijklmnop-WXYZ";

        var put = await fixture.PutAlertsAsync(tenant, new
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

        var put = await fixture.PutAlertsAsync(tenant, new { webhook_url = "http://127.0.0.1:9/h", secret = AlertFixture.Secret, low_balance = 5 });
        var get = await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/alerts");
        var delete = await Gateway.Admin.DeleteAsync($"/admin/tenants/{tenant}/alerts");
        var webhooks = await Gateway.Admin.GetAsync($"/admin/tenants/{tenant}/webhooks");
        var badId = await fixture.PutAlertsAsync("Not An Id", new { webhook_url = "http://127.0.0.1:9/h", secret = AlertFixture.Secret });

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
}
