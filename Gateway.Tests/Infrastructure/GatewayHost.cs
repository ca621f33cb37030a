using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The real gateway (the same composition as Program.cs) on 127.0.0.1 port 0, against the real Redis and Postgres,
/// with an admin client and helpers to make tenants and read their events.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
        Admin = new HttpClient { BaseAddress = new Uri(baseUrl) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestServices.AdminToken);
    }

    public string BaseUrl { get; }

    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway; with <paramref name="logs"/>, every log entry of every level also goes there.</summary>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["ConnectionStrings:Postgres"] = TestServices.Postgres,
            ["Admin:Token"] = TestServices.AdminToken,
            ["Sink:FlushInterval"] = "00:00:00.020",
            // Every test host shares the streams and consumer group; one that stops (or loses Redis) mid-read leaves
            // entries pending that the others take over after this long.
            ["Sink:ClaimAfter"] = "00:00:01",
            ["Providers:openai:BaseUrl"] = "",
            ["Demo:Key"] = "",
            // Only the alert tests' gateways (AlertFixture) check alert rules and deliver webhooks: they alone decide
            // which gateway sends a test's webhook, and how soon.
            ["Alerts:Enabled"] = "false",
            // A test host shares its process with every other test: a start-up or idle collection would stop them all.
            // Process tests (GatewayProcess, NativeAot) keep the product's defaults; Gateway.Tests/Memory tests both.
            ["Memory:TrimOnStart"] = "false",
            ["Memory:TrimWhenIdleFor"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var app = await Gateway.GatewayApp.CreateAsync(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
            if (logs is not null)
            {
                builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)
                    .AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Warning);
            }
        });
        await app.StartAsync();
        return new GatewayHost(app, app.Urls.First());
    }

    /// <summary>A new tenant with one key and, unless told otherwise, $100 of credit.</summary>
    public async Task<(string TenantId, string Key, string KeyId)> NewTenantAsync(decimal credit = 100m)
    {
        var tenant = TestServices.NewTenantId();
        var created = await Admin.PostAsJsonAsync("/admin/tenants", new { id = tenant, name = "Test " + tenant });
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var key = await Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/keys", new { name = "test" });
        Assert.Equal(System.Net.HttpStatusCode.Created, key.StatusCode);
        var json = await key.Content.ReadFromJsonAsync<JsonElement>();
        if (credit > 0)
        {
            var topUp = await Admin.PostAsJsonAsync($"/admin/tenants/{tenant}/credits", new { amount = credit, idempotency_key = "test-seed" });
            Assert.Equal(System.Net.HttpStatusCode.Created, topUp.StatusCode);
        }

        return (tenant, json.GetProperty("key").GetString()!, json.GetProperty("id").GetString()!);
    }

    /// <summary>Sets a model's price (USD per million tokens) through the admin API.</summary>
    public async Task PriceAsync(string model, decimal input, decimal output, decimal? cachedInput = null, decimal? cacheWrite = null, decimal? reasoning = null)
    {
        var response = await Admin.PutAsJsonAsync($"/admin/prices/{model}", new
        {
            input_per_million = input,
            output_per_million = output,
            cached_input_per_million = cachedInput,
            cache_write_per_million = cacheWrite,
            reasoning_per_million = reasoning,
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    public async Task<JsonElement> WalletAsync(string tenant) => await Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/wallet");

    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Waits until the tenant has <paramref name="count"/> events in Postgres, then checks no more come.</summary>
    public async Task<IReadOnlyList<JsonElement>> EventsAsync(string tenant, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var events = await ReadEventsAsync(tenant);
            if (events.Count >= count || DateTime.UtcNow > deadline)
            {
                if (events.Count == count)
                {
                    await Task.Delay(100);
                    events = await ReadEventsAsync(tenant);
                }

                Assert.Equal(count, events.Count);
                return events;
            }

            await Task.Delay(25);
        }
    }

    /// <summary>The tenant's events as stored now.</summary>
    public async Task<List<JsonElement>> ReadEventsAsync(string tenant)
    {
        var response = await Admin.GetAsync($"/admin/events?tenant={tenant}&limit=1000");
        if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
        {
            return []; // the store is coming back (a test of an outage): poll again
        }

        response.EnsureSuccessStatusCode();
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. page.GetProperty("data").EnumerateArray()];
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
