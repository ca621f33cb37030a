using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Cli;

/// <summary><c>gatewayctl</c> end to end: the built CLI as its own process against a real gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GatewayCtlTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    private Task<(int Code, string Output, string Error)> Ctl(params string[] args) => CliProcess.RunAsync(Gateway.BaseUrl, TestServices.AdminToken, args);

    [Fact]
    public async Task Cli_CreateTenantIssueKeyTopUpAndShowUsage_MatchesTheGateway()
    {
        var tenant = TestServices.NewTenantId("cli");

        var created = await Ctl("tenant", "create", tenant, "--name", "CLI Test");
        var issued = await Ctl("key", "issue", tenant, "--name", "ci");
        var topUp = await Ctl("topup", tenant, "7.25", "--idempotency-key", "cli-test-1");
        var again = await Ctl("topup", tenant, "7.25", "--idempotency-key", "cli-test-1");

        Assert.Equal((0, $"created tenant {tenant} (CLI Test), status active"), (created.Code, created.Output.Trim()));
        Assert.Equal(0, issued.Code);
        var key = issued.Output.Split('\n')[1].Trim();
        Assert.StartsWith("sk-gw-", key, StringComparison.Ordinal);
        Assert.Equal(0, topUp.Code);
        Assert.Contains("balance 7.25, held 0, available 7.25 USD", topUp.Output, StringComparison.Ordinal);
        Assert.Contains("balance 7.25,", again.Output, StringComparison.Ordinal); // the same idempotency key credits nothing more

        using var client = Gateway.Client(key); // the issued key works
        foreach (var max in new[] { 3, 5 })
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "sim-1", max_tokens = max, messages = new[] { new { role = "user", content = "From the CLI's key." } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var events = await Gateway.EventsAsync(tenant, 2);
        var cost = events.Sum(e => e.GetProperty("cost_micros").GetInt64()) / 1_000_000m;
        var input = events.Sum(e => e.GetProperty("input_tokens").GetInt64());

        var usage = await Ctl("usage", tenant, "--group-by", "model");
        var usageJson = await Ctl("usage", tenant, "--json");
        var wallet = await Ctl("wallet", tenant);

        Assert.Equal(0, usage.Code);
        var lines = usage.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["period", "model", "requests", "input", "output", "cost_usd"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var total = lines[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["total", "2", input.ToString(CultureInfo.InvariantCulture), "8", cost.ToString("0.000000", CultureInfo.InvariantCulture)], total);
        Assert.Contains(lines, l => l.Contains(" sim-1 ", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(usageJson.Output);
        Assert.Equal(cost, json.RootElement.GetProperty("data").EnumerateArray().Sum(r => r.GetProperty("cost").GetDecimal()));
        Assert.Equal($"{tenant}: balance {(7.25m - cost).ToString(CultureInfo.InvariantCulture)}, held 0, available {(7.25m - cost).ToString(CultureInfo.InvariantCulture)} USD", wallet.Output.Trim());
    }

    [Fact]
    public async Task Cli_Failures_SayWhyWithExitCodes()
    {
        var noToken = await CliProcess.RunAsync(Gateway.BaseUrl, null, "wallet", "demo");
        var badToken = await CliProcess.RunAsync(Gateway.BaseUrl, "not-the-admin-token-at-all", "wallet", "demo");
        var unknown = await Ctl("wallet", TestServices.NewTenantId("none"));
        var badAmount = await Ctl("topup", "demo", "lots");
        var unreachable = await CliProcess.RunAsync("http://127.0.0.1:1", TestServices.AdminToken, "tenant", "show", "demo");
        var taken = TestServices.NewTenantId("cli");
        await Ctl("tenant", "create", taken);
        var twice = await Ctl("tenant", "create", taken);

        Assert.Equal((2, "error: no admin token: pass --token or set GATEWAY_ADMIN_TOKEN"), (noToken.Code, noToken.Error.Trim()));
        Assert.Equal(1, badToken.Code);
        Assert.Contains("(invalid_admin_token)", badToken.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("(not_found)", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, badAmount.Code);
        Assert.Equal(1, unreachable.Code);
        Assert.Contains("cannot reach http://127.0.0.1:1/", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(1, twice.Code);
        Assert.Contains("(conflict)", twice.Error, StringComparison.Ordinal);
    }
}
