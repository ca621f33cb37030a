using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;
using Xunit;

namespace Gateway.Tests.NativeAot;

/// <summary>
/// The gateway published as a Native AOT binary by scripts/publish-aot.sh (as users build it), run as its own process
/// against the real Redis and Postgres and its built-in simulated provider. A publish takes one to two minutes.
/// </summary>
public sealed class NativeAotGateway : IAsyncLifetime
{
    private GatewayProcess? _process;

    public string Binary { get; private set; } = "";

    internal GatewayProcess Process => _process ?? throw new InvalidOperationException("Not started.");

    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Binary = await PublishAsync();
        _process = await GatewayProcess.StartAsync(new Dictionary<string, string>(), Binary);
        Admin = new HttpClient { BaseAddress = new Uri(_process.BaseUrl) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestServices.AdminToken);
        var price = await Admin.PutAsJsonAsync("/admin/prices/sim-1", new { input_per_million = 1.0m, output_per_million = 2.0m });
        price.EnsureSuccessStatusCode();
    }

    public Task DisposeAsync()
    {
        Admin?.Dispose();
        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<string> PublishAsync()
    {
        // scripts/test.sh publishes before the suite starts (a native link saturates both cores of a small machine,
        // which the timing-sensitive tests running beside this one would feel); run alone, the fixture publishes.
        if (Environment.GetEnvironmentVariable("GATEWAY_AOT_BINARY") is { Length: > 0 } published && File.Exists(published))
        {
            return published;
        }

        var root = AppContext.BaseDirectory[..AppContext.BaseDirectory.IndexOf("/Gateway.Tests/", StringComparison.Ordinal)];
        var info = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "publish-aot.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var publish = System.Diagnostics.Process.Start(info)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var error = publish.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await publish.WaitForExitAsync(timeout.Token);
        var binary = (await output).Trim();
        Assert.True(publish.ExitCode == 0 && File.Exists(binary), $"scripts/publish-aot.sh failed ({publish.ExitCode}): {await error}");
        return binary;
    }
}
