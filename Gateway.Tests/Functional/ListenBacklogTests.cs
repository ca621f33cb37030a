using System.Diagnostics;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary>
/// <c>Proxy:ListenBacklog</c> sizes the listening socket's queue. With Kestrel's 512, thousands of clients
/// connecting at once overflowed it and some connections were reset (20 of 5,000 streams in a benchmark run). The
/// kernel shows a listening socket's queue size as its Send-Q.
/// </summary>
public sealed class ListenBacklogTests
{
    [Theory]
    [InlineData(null, 4096)]
    [InlineData("777", 777)]
    public async Task ListeningSocket_QueueIsTheSetting(string? setting, int expected)
    {
        var settings = new Dictionary<string, string?>();
        if (setting is not null)
        {
            settings["Proxy:ListenBacklog"] = setting;
        }

        await using var gateway = await GatewayHost.StartAsync(settings);
        var port = new Uri(gateway.BaseUrl).Port;

        var somaxconn = int.Parse(File.ReadAllText("/proc/sys/net/core/somaxconn").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Math.Min(expected, somaxconn), await SendQueueAsync(port));
    }

    private static async Task<int> SendQueueAsync(int port)
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", ["-ltnH", $"sport = :{port}"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var line = (await ss.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).First();
        await ss.WaitForExitAsync();
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture); // State Recv-Q Send-Q ...
    }
}
