using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Infrastructure;

/// <summary>The built gateway as its own OS process (dotnet Gateway.dll, or the Native AOT binary when given), so a
/// test can kill it like a crash.</summary>
internal sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    /// <summary>What the process wrote to stdout and stderr, line by line.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; private init; } = new();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGTERM: the graceful stop a service manager sends.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
    }

    /// <summary>Runs a gateway that is expected to stop by itself (a refused start): its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string baseUrl, IDictionary<string, string> settings, TimeSpan timeout, string? executable = null)
    {
        using var process = Process.Start(Info(baseUrl, settings, executable))!;
        var output = CaptureOutput(process);
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The gateway did not stop within {timeout}: {string.Join("\n", output)}");
        }

        process.WaitForExit(); // the output's last lines
        return (process.ExitCode, string.Join("\n", output));
    }

    public static Task<GatewayProcess> StartAsync(IDictionary<string, string> settings, string? executable = null)
    {
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        return Started(Process.Start(Info(baseUrl, settings, executable))!, baseUrl);
    }

    private static ProcessStartInfo Info(string baseUrl, IDictionary<string, string> settings, string? executable)
    {
        var info = new ProcessStartInfo(executable ?? "dotnet", executable is null ? [GatewayDll()] : [])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Urls"] = baseUrl;
        info.Environment["ConnectionStrings__Redis"] = TestServices.Redis;
        info.Environment["ConnectionStrings__Postgres"] = TestServices.Postgres;
        info.Environment["Admin__Token"] = TestServices.AdminToken;
        info.Environment["Providers__openai__BaseUrl"] = "";
        info.Environment["Demo__Key"] = "";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Sink__ClaimAfter"] = "00:00:01";
        info.Environment["Alerts__Enabled"] = "false"; // as GatewayHost: only AlertFixture's gateways send webhooks
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return info;
    }

    private static async Task<GatewayProcess> Started(Process process, string baseUrl)
    {
        var output = CaptureOutput(process);
        using var http = new HttpClient();
        for (var i = 0; i < 150; i++)
        {
            try
            {
                if ((await http.GetAsync(baseUrl + "/healthz")).IsSuccessStatusCode)
                {
                    return new GatewayProcess(process, baseUrl) { Output = output };
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The gateway process did not start.");
    }

    /// <summary>SIGKILL: no shutdown, no drain, nothing settled.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private static System.Collections.Concurrent.ConcurrentQueue<string> CaptureOutput(Process process)
    {
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return output;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string GatewayDll()
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "Gateway", "bin", configuration, "net10.0", "Gateway.dll");
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")) && File.Exists(dll))
            {
                return dll;
            }
        }

        throw new FileNotFoundException("Gateway.dll not found; build the solution first.");
    }
}
