using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Two gateways on the same Redis and Postgres, the only test hosts that check alert rules and deliver webhooks, so
/// every alert test also shows that several gateways send a crossing once; and the alert tests' helpers.
/// <see cref="Model"/> is priced high enough that a few simulated requests move a small balance across a threshold.
/// </summary>
public sealed class AlertFixture : IAsyncLifetime
{
    /// <summary>$100 in, $1,000 out per million tokens: a request with max_tokens 10 costs about a cent.</summary>
    public const string Model = "sim-alerts";

    public const string Secret = "whsec_test_0123456789abcdef";

    /// <summary>Many detection and delivery cycles of both gateways: long enough for a webhook that should not come.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(1500);

    /// <summary>Quick checks and retries; four attempts at most.</summary>
    internal static readonly Dictionary<string, string?> Settings = new()
    {
        ["Alerts:Enabled"] = "true",
        ["Alerts:Interval"] = "00:00:00.100",
        ["Alerts:SpikeCheckInterval"] = "00:00:00.200",
        ["Alerts:RetryDelay"] = "00:00:00.200",
        ["Alerts:MaxRetryDelay"] = "00:00:00.500",
        ["Alerts:MaxAttempts"] = "4",
    };

    internal GatewayHost A { get; private set; } = null!;

    internal GatewayHost B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        A = await GatewayHost.StartAsync(Settings);
        B = await GatewayHost.StartAsync(Settings);
        await A.PriceAsync(Model, 100m, 1000m);
        await B.Services.GetRequiredService<Gateway.Metering.Rating.PriceBook>().LoadAsync();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }

    internal Task<HttpResponseMessage> PutAlertsAsync(string tenant, object body) => A.Admin.PutAsJsonAsync($"/admin/tenants/{Uri.EscapeDataString(tenant)}/alerts", body);

    internal async Task DeleteAlertsAsync(string tenant)
        => Assert.Equal(HttpStatusCode.NoContent, (await A.Admin.DeleteAsync($"/admin/tenants/{tenant}/alerts")).StatusCode);

    internal static async Task ChatAsync(string key, GatewayHost gateway)
    {
        using var client = gateway.Client(key);
        var response = await client.PostAsync("/v1/chat/completions", new StringContent(
            $$"""{"model":"{{Model}}","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Real requests, alternating gateways, until the available balance is below <paramref name="threshold"/>;
    /// returns how many it took.</summary>
    internal async Task<int> SpendUntilBelowAsync(string key, string tenant, decimal threshold)
    {
        for (var i = 0; i < 40; i++)
        {
            if (await SettledAvailableAsync(tenant) < threshold)
            {
                return i;
            }

            await ChatAsync(key, i % 2 == 0 ? A : B);
        }

        throw new InvalidOperationException("The balance never went below the threshold.");
    }

    /// <summary>The balance, and the exact cost of one <see cref="ChatAsync"/> (the same every time: the simulator
    /// answers max_tokens tokens).</summary>
    internal async Task<(decimal Balance, decimal Cost)> CostOfOneRequestAsync(string key, string tenant)
    {
        var before = await SettledAvailableAsync(tenant);
        await ChatAsync(key, A);
        var after = await SettledAvailableAsync(tenant);
        Assert.True(after < before);
        return (after, before - after);
    }

    /// <summary>The available balance once no request holds anything.</summary>
    internal async Task<decimal> SettledAvailableAsync(string tenant)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (true)
        {
            var wallet = await A.WalletAsync(tenant);
            if (wallet.GetProperty("held").GetDecimal() == 0 || DateTime.UtcNow > deadline)
            {
                return wallet.GetProperty("available").GetDecimal();
            }

            await Task.Delay(25);
        }
    }

    internal async Task<decimal> AvailableAsync(string tenant) => (await A.WalletAsync(tenant)).GetProperty("available").GetDecimal();

    internal async Task<bool> ArmedAsync(string tenant, string kind)
        => (await A.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/alerts")).GetProperty("armed").GetProperty(kind).GetBoolean();

    internal async Task WaitArmedAsync(string tenant, string kind, bool armed)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await ArmedAsync(tenant, kind) != armed)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{kind} never became armed={armed}");
            await Task.Delay(50);
        }
    }

    internal async Task<JsonElement> WaitWebhookAsync(string tenant, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var list = await A.Admin.GetFromJsonAsync<JsonElement>($"/admin/tenants/{tenant}/webhooks");
            var found = list.GetProperty("data").EnumerateArray().Where(done).ToList();
            if (found.Count > 0)
            {
                return Assert.Single(list.GetProperty("data").EnumerateArray());
            }

            Assert.True(DateTime.UtcNow < deadline, "The webhook never reached the state expected: " + list);
            await Task.Delay(50);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AlertCollection : ICollectionFixture<AlertFixture>
{
    public const string Name = "alerts";
}
