using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.Tests.Functional;

/// <summary>Start and stop: bad configuration is refused by name; a graceful stop writes every queued event.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("Providers:openai:BaseUrl", "not a url", "Providers:openai:BaseUrl")]
    [InlineData("Providers:openai:Kind", "mystery", "Providers:openai:Kind")]
    [InlineData("Admin:Token", "short", "Admin:Token")]
    [InlineData("Auth:KeyCacheTtl", "00:00:05", "Auth:KeyCacheTtl")]
    [InlineData("Metering:Tokenizer:DefaultEncoding", "p50k", "Metering:Tokenizer:DefaultEncoding")]
    [InlineData("ConnectionStrings:Postgres", "", "ConnectionStrings:Postgres")]
    [InlineData("Providers:openai:FallbackTo", "nowhere", "Providers:openai:FallbackTo")]
    [InlineData("Providers:claude:Kind", "anthropic", "Providers:claude:BaseUrl")]
    [InlineData("Metering:Enabled", "false", "Metering:Enabled")] // without Admission:Enabled=false
    // The options' [Range] attributes, checked by validators generated at build time (the Native AOT binary has no
    // reflection to read attributes with): one row per options type.
    [InlineData("Sink:RedisPageSize", "0", "RedisPageSize")]
    [InlineData("Admission:InputEstimateMargin", "0.5", "InputEstimateMargin")]
    [InlineData("Proxy:MaxRequestBodySize", "10", "MaxRequestBodySize")]
    [InlineData("Simulator:MaxTokens", "0", "MaxTokens")]
    [InlineData("Telemetry:MaxLabelValues", "0", "MaxLabelValues")]
    [InlineData("Telemetry:MaxSeriesPerMetric", "10", "MaxSeriesPerMetric")]
    [InlineData("Billing:CreditExpiryInterval", "00:00:00.001", "Billing:CreditExpiryInterval")]
    [InlineData("Billing:PlanCreditInterval", "2.00:00:00", "Billing:PlanCreditInterval")]
    [InlineData("Export:BatchSize", "0", "BatchSize")]
    [InlineData("Memory:TrimWhenIdleFor", "00:00:00.5", "Memory:TrimWhenIdleFor")]
    public async Task Start_InvalidSetting_FailsNamingTheKey(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, string.Join("\n", error.Failures) + error.Message);
    }

    [Fact]
    public async Task Start_AddressTaken_ExitsSayingSoWithoutACrash()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var (exitCode, output) = await GatewayProcess.RunToExitAsync(url, new Dictionary<string, string>(), TimeSpan.FromSeconds(60));

        Assert.Equal(3, exitCode);
        Assert.Contains($"Cannot listen: Failed to bind to address {url}", output, StringComparison.Ordinal);
        Assert.Contains("address already in use", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunScript_AgainWhileAGatewayServes_SaysSoAndLeavesItServing()
    {
        using var serving = await GatewayProcess.StartAsync(new Dictionary<string, string>());
        var root = AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/Gateway.Tests/", StringComparison.Ordinal)];
        var info = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(root, "scripts", "run.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["GATEWAY_URL"] = serving.BaseUrl;

        using var run = System.Diagnostics.Process.Start(info)!;
        var output = run.StandardOutput.ReadToEndAsync();
        var error = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await run.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, run.ExitCode); // the README's command is safe to run again
        Assert.Contains($"a gateway is already serving on {serving.BaseUrl}", await error, StringComparison.Ordinal);
        Assert.DoesNotContain("building the gateway", await error, StringComparison.Ordinal);
        Assert.Contains("Demo key:", await output, StringComparison.Ordinal);
        Assert.False(serving.HasExited);
        using var http = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(serving.BaseUrl + "/healthz")).StatusCode);
    }

    [Fact]
    public async Task Stop_WithEventsQueued_WritesThemAllBeforeExit()
    {
        var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sink:FlushInterval"] = "00:01:00", // nothing is written until the stop drains the queue
            ["Sink:BatchSize"] = "1000",
        });
        await GatewayFixture.PriceSimulatedModelsAsync(gateway); // on a fresh database no other test may have priced sim-1 yet
        var (tenant, key, _) = await gateway.NewTenantAsync();
        using (var client = gateway.Client(key))
        {
            for (var i = 0; i < 20; i++)
            {
                var response = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"sim-1","max_tokens":2,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
                response.EnsureSuccessStatusCode();
            }
        }

        await gateway.DisposeAsync();

        await using var postgres = NpgsqlDataSource.Create(TestServices.Postgres);
        await using var command = postgres.CreateCommand("SELECT count(*) FROM metering_events WHERE tenant_id = $1");
        command.Parameters.AddWithValue(tenant);
        Assert.Equal(20L, await command.ExecuteScalarAsync());
    }
}
