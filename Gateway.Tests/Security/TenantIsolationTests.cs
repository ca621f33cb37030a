using System.Net;
using System.Net.Http.Json;
using System.Text;
using Gateway.Tests.Functional;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Security;

/// <summary>
/// One tenant's key can never act on another tenant's wallet, keys or events: virtual keys open no admin route,
/// a request names no tenant but its key's, and hostile ids in admin routes reach no one's data.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TenantIsolationTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    [Fact]
    public async Task VirtualKey_OnEveryAdminRoute_401AndTheOtherTenantIsUntouched()
    {
        var (_, keyA, _) = await Gateway.NewTenantAsync();
        var (tenantB, keyB, keyIdB) = await Gateway.NewTenantAsync(credit: 5m);
        (HttpMethod Method, string Path, string? Body)[] routes =
        [
            (HttpMethod.Get, $"/admin/tenants/{tenantB}", null),
            (HttpMethod.Get, $"/admin/tenants/{tenantB}/wallet", null),
            (HttpMethod.Post, $"/admin/tenants/{tenantB}/credits", "{\"amount\":1000,\"idempotency_key\":\"steal\"}"),
            (HttpMethod.Put, $"/admin/tenants/{tenantB}/limits", "{\"requests_per_minute\":0}"),
            (HttpMethod.Get, $"/admin/tenants/{tenantB}/limits", null),
            (HttpMethod.Get, $"/admin/tenants/{tenantB}/reconciliation", null),
            (HttpMethod.Post, $"/admin/tenants/{tenantB}/keys", "{\"name\":\"stolen\"}"),
            (HttpMethod.Delete, $"/admin/keys/{keyIdB}", null),
            (HttpMethod.Get, $"/admin/events?tenant={tenantB}", null),
            (HttpMethod.Put, "/admin/prices/sim-1", "{\"input_per_million\":0,\"output_per_million\":0}"),
            (HttpMethod.Post, "/admin/tenants", "{\"id\":\"" + TestServices.NewTenantId() + "\"}"),
            (HttpMethod.Get, "/admin/reconciliation", null),
        ];

        foreach (var (method, path, body) in routes)
        {
            foreach (var header in (string[])["Authorization", "x-api-key", "api-key"])
            {
                using var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
                using var request = new HttpRequestMessage(method, path);
                request.Headers.TryAddWithoutValidation(header, header == "Authorization" ? "Bearer " + keyA : keyA);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                var response = await http.SendAsync(request);

                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with {header}: {response.StatusCode}");
                await BadInputTests.AssertOpenAiError(response, "invalid_admin_token");
            }
        }

        var wallet = await Gateway.WalletAsync(tenantB);
        Assert.Equal(5m, wallet.GetProperty("balance").GetDecimal());
        using var client = Gateway.Client(keyB);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", Chat())).StatusCode); // key and limits intact
    }

    [Theory]
    [InlineData("Bearer test-admin-token-0123456789abcde")] // one character short
    [InlineData("Bearer TEST-ADMIN-TOKEN-0123456789ABCDEF")]
    [InlineData("Bearer test-admin-token-0123456789abcdeg")] // the last character differs
    [InlineData("Basic dGVzdC1hZG1pbi10b2tlbi0wMTIzNDU2Nzg5YWJjZGVm")]
    [InlineData("test-admin-token-0123456789abcdef")] // no scheme
    public async Task Admin_NearMissToken_401(string authorization)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/prices");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "invalid_admin_token");
    }

    [Fact]
    public async Task Admin_TokenInAnotherHeader_401()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/prices");
        request.Headers.Add("x-api-key", TestServices.AdminToken);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Request_NamesAnotherTenant_OnlyTheKeysOwnTenantIsChargedAndRecorded()
    {
        var (tenantA, keyA, _) = await Gateway.NewTenantAsync();
        var (tenantB, _, _) = await Gateway.NewTenantAsync(credit: 5m);
        using var client = Gateway.Client(keyA);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                "{\"model\":\"sim-1\",\"tenant\":\"" + tenantB + "\",\"tenant_id\":\"" + tenantB + "\",\"user\":\"" + tenantB + "\",\"metadata\":{\"tenant_id\":\"" + tenantB + "\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                Encoding.UTF8,
                "application/json"),
        };
        foreach (var header in (string[])["X-Tenant-Id", "X-Meter-Tenant", "X-Meter-Tenant-Id", "OpenAI-Organization", "X-Gateway-Tenant"])
        {
            request.Headers.Add(header, tenantB);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var e = Assert.Single(await Gateway.EventsAsync(tenantA, 1));
        Assert.Equal(tenantA, e.GetProperty("tenant_id").GetString());
        Assert.True(e.GetProperty("cost_micros").GetInt64() > 0);
        Assert.Empty(await Gateway.ReadEventsAsync(tenantB));
        Assert.Equal(5m, (await Gateway.WalletAsync(tenantB)).GetProperty("balance").GetDecimal());
        Assert.True((await Gateway.WalletAsync(tenantA)).GetProperty("balance").GetDecimal() < 100m);
    }

    [Theory]
    [InlineData("x' OR '1'='1")]
    [InlineData("%25")]
    [InlineData("_")]
    [InlineData("t-%5F%25")]
    [InlineData("..%2Fother")]
    [InlineData("UPPER")]
    [InlineData("a%00b")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task AdminIds_Hostile_NeverReachAnotherTenantsData(string id)
    {
        var (tenant, key, keyId) = await Gateway.NewTenantAsync(credit: 5m);
        using (var client = Gateway.Client(key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/v1/chat/completions", Chat())).StatusCode);
        }

        await Gateway.EventsAsync(tenant, 1);
        foreach (var path in (string[])[$"/admin/tenants/{id}", $"/admin/tenants/{id}/wallet", $"/admin/tenants/{id}/limits", $"/admin/tenants/{id}/reconciliation"])
        {
            var response = await Gateway.Admin.GetAsync(path);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {response.StatusCode}");
        }

        var events = await Gateway.Admin.GetAsync($"/admin/events?tenant={id}");
        Assert.True(events.StatusCode is HttpStatusCode.BadRequest || (await events.Content.ReadAsStringAsync()).Contains("\"data\":[]", StringComparison.Ordinal), $"events: {events.StatusCode}");
        var credit = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{id}/credits", new { amount = 1, idempotency_key = "x" });
        Assert.True(credit.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"credits: {credit.StatusCode}");
        var revoke = await Gateway.Admin.DeleteAsync($"/admin/keys/{keyId}{id}");
        Assert.True(revoke.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"revoke: {revoke.StatusCode}");

        Assert.Equal(5m - (await Gateway.WalletAsync(tenant)).GetProperty("balance").GetDecimal(), (await Gateway.EventsAsync(tenant, 1))[0].GetProperty("cost_micros").GetInt64() / 1_000_000m);
        using var again = Gateway.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await again.PostAsync("/v1/chat/completions", Chat())).StatusCode); // the key still works
    }

    private static StringContent Chat() => new("{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json");
}
