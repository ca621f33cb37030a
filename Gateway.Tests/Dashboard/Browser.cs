using System.Diagnostics;
using System.Text.Json;

namespace Gateway.Tests.Dashboard;

/// <summary>Runs Gateway/Dashboard/web/e2e/check.mjs (node + playwright-core + Debian's Chromium) and returns its JSON report.</summary>
internal static class Browser
{
    public static string Chromium => Environment.GetEnvironmentVariable("GATEWAY_CHROMIUM") ?? "/usr/bin/chromium";

    public static string DashboardDir => Path.Combine(RepositoryRoot(), "Gateway", "Dashboard", "web");

    public static async Task<JsonElement> CheckAsync(string gatewayUrl, string adminToken, string tenant, string screenshot)
    {
        var info = new ProcessStartInfo("node", [Path.Combine("e2e", "check.mjs")])
        {
            WorkingDirectory = DashboardDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["GATEWAY_URL"] = gatewayUrl;
        info.Environment["ADMIN_TOKEN"] = adminToken;
        info.Environment["TENANT"] = tenant;
        info.Environment["SCREENSHOT"] = screenshot;
        info.Environment["CHROMIUM"] = Chromium;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The browser check did not finish in 2 minutes: " + await error);
        }

        var text = await output;
        Assert.True(process.ExitCode == 0 && text.Length > 0, $"check.mjs exited {process.ExitCode}: {await error}");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("gateway.sln not found above the test binaries.");
    }
}
