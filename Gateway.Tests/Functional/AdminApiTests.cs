using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>Tenants, keys and events through the admin API, as its contract says.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AdminApiTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    [Fact]
    public async Task CreateTenant_ValidThenDuplicate_201Then409()
    {
        var id = TestServices.NewTenantId();

        var created = await Gateway.Admin.PostAsJsonAsync("/admin/tenants", new { id, name = "Acme" });
        var again = await Gateway.Admin.PostAsJsonAsync("/admin/tenants", new { id, name = "Acme" });
        var read = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{id}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal("Acme", body.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        await BadInputTests.AssertOpenAiError(again, "conflict");
        Assert.Equal("Acme", read.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("-acme")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("acme'; DROP TABLE tenants; --")]
    public async Task CreateTenant_BadId_400(string id)
    {
        var response = await Gateway.Admin.PostAsJsonAsync("/admin/tenants", new { id, name = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "invalid_request");
    }

    [Fact]
    public async Task CreateTenant_MalformedJson_400()
    {
        var response = await Gateway.Admin.PostAsync("/admin/tenants", new StringContent("{\"id\":", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "invalid_json");
    }

    [Fact]
    public async Task GetTenant_Unknown_404()
    {
        var response = await Gateway.Admin.GetAsync("/admin/tenants/" + TestServices.NewTenantId());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token-wrong-token")]
    [InlineData("Bearer " + TestServices.AdminToken + "x")]
    public async Task Admin_WrongOrMissingToken_401(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/events?tenant=acme");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task CreateKey_ShownOnceWithPrefixAndEnoughEntropy()
    {
        var (tenant, key, keyId) = await Gateway.NewTenantAsync();

        Assert.StartsWith("sk-gw-", key);
        Assert.True(key.Length >= 6 + 22); // ≥ 128 bits in base62
        Assert.StartsWith("key_", keyId);
        var unknownTenant = await Gateway.Admin.PostAsJsonAsync($"/admin/tenants/{TestServices.NewTenantId()}/keys", new { name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, unknownTenant.StatusCode);
        _ = tenant;
    }

    [Fact]
    public async Task RevokeKey_RefusedWithinOneSecondOnEveryGateway()
    {
        await using var other = await GatewayHost.StartAsync();
        var (_, key, keyId) = await Gateway.NewTenantAsync();
        using var here = Gateway.Client(key);
        using var there = other.Client(key);
        const string body = """{"model":"sim-1","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}""";
        Assert.Equal(HttpStatusCode.OK, (await there.PostAsync("/v1/chat/completions", Json(body))).StatusCode); // cached there now
        Assert.Equal(HttpStatusCode.OK, (await here.PostAsync("/v1/chat/completions", Json(body))).StatusCode);

        var revoked = await Gateway.Admin.DeleteAsync($"/admin/keys/{keyId}");
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await here.PostAsync("/v1/chat/completions", Json(body))).StatusCode);
        HttpStatusCode status;
        do
        {
            status = (await there.PostAsync("/v1/chat/completions", Json(body))).StatusCode;
        }
        while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(3));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"refused only after {clock.Elapsed}");
        Assert.Equal(HttpStatusCode.NotFound, (await Gateway.Admin.DeleteAsync($"/admin/keys/{keyId}")).StatusCode);
    }

    [Fact]
    public async Task Events_PagedOldestFirstWithHasMore()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        using var client = Gateway.Client(key);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAsync("/v1/chat/completions", Json("""{"model":"sim-1","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}"""));
            ids.Add(response.Headers.GetValues("X-Request-Id").Single());
        }

        await Gateway.EventsAsync(tenant, 5);
        var first = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/events?tenant={tenant}&limit=3");
        var firstIds = first.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!).ToList();
        var second = await Gateway.Admin.GetFromJsonAsync<JsonElement>($"/admin/events?tenant={tenant}&limit=3&after={firstIds[^1]}");
        var secondIds = second.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!).ToList();

        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.False(second.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids, firstIds.Concat(secondIds));
    }

    [Theory]
    [InlineData("tenant=Bad%20Id")]
    [InlineData("tenant=acme&limit=0")]
    [InlineData("tenant=acme&limit=abc")]
    [InlineData("tenant=acme&after=not-a-uuid")]
    public async Task Events_BadQuery_400(string query)
    {
        var response = await Gateway.Admin.GetAsync("/admin/events?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await BadInputTests.AssertOpenAiError(response, "invalid_request");
    }

    [Fact]
    public async Task MeterHeaders_LandOnTheEvent()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        using var client = Gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json("""{"model":"sim-1","max_tokens":1,"user":"alice","messages":[{"role":"user","content":"hi"}]}""") };
        request.Headers.Add("X-Meter-Feature", "summaries");
        request.Headers.Add("X-Meter-Environment", "staging");
        request.Headers.Add("X-Meter-Trace-Id", "run-42");
        request.Headers.Add("X-Meter-Team", "growth");

        await client.SendAsync(request);

        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal("summaries", e.GetProperty("feature").GetString());
        Assert.Equal("staging", e.GetProperty("environment").GetString());
        Assert.Equal("run-42", e.GetProperty("trace_id").GetString());
        Assert.Equal("alice", e.GetProperty("end_user").GetString());
        Assert.Equal("growth", e.GetProperty("metadata").GetProperty("team").GetString());
    }

    [Fact]
    public async Task Health_LiveAndReady()
    {
        using var client = new HttpClient { BaseAddress = new Uri(Gateway.BaseUrl) };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        var ready = await client.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Models_ListsThePricedModelsATenantCanUse()
    {
        var (_, key, _) = await Gateway.NewTenantAsync();
        using var client = Gateway.Client(key);

        var models = await client.GetFromJsonAsync<JsonElement>("/v1/models");

        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "sim-1");
        Assert.All(models.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));
        var unpriced = "sim-unpriced-" + Guid.NewGuid().ToString("N")[..6];
        Assert.DoesNotContain(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == unpriced);
        await Gateway.PriceAsync(unpriced, 1m, 1m);
        var after = await client.GetFromJsonAsync<JsonElement>("/v1/models");
        Assert.Contains(after.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == unpriced);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
