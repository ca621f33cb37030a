using System.Diagnostics;

namespace Gateway.Tests.Cli;

/// <summary>Runs the built CLI (<c>dotnet gatewayctl.dll ...</c>) as a user would, with its own environment.</summary>
internal static class CliProcess
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string? url, string? token, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Dll(), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment.Remove("GATEWAY_URL");
        info.Environment.Remove("GATEWAY_ADMIN_TOKEN");
        if (url is not null)
        {
            info.Environment["GATEWAY_URL"] = url;
        }

        if (token is not null)
        {
            info.Environment["GATEWAY_ADMIN_TOKEN"] = token;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static string Dll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "scripts", "gatewayctl", "bin", configuration, "net10.0", "gatewayctl.dll");
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")) && File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException("gatewayctl.dll not found; build the solution first.");
    }
}
