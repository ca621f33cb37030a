using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Memory;

/// <summary>
/// A real gateway process (the JIT build, or the native binary) returns memory once it listens, then not again while
/// no proxied request arrives, then once after traffic stops for <c>Memory:TrimWhenIdleFor</c>. Read from its log.
/// </summary>
internal static class MemoryTrimProcess
{
    private const string Started = "Memory returned (started)";
    private const string Idle = "Memory returned (idle)";

    public static async Task RunAsync(string? executable)
    {
        using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["Memory:TrimWhenIdleFor"] = "00:00:01",
            ["Logging:LogLevel:Gateway.Memory"] = "Information",
        }, executable);
        await WaitForAsync(gateway, Started);

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // idle twice over, with no traffic since the start's collection
        Assert.DoesNotContain(gateway.Output, line => line.Contains(Idle, StringComparison.Ordinal));

        using var http = new HttpClient();
        using var body = new StringContent("{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json");
        var refused = await http.PostAsync(gateway.BaseUrl + "/v1/chat/completions", body); // no key: still traffic
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await WaitForAsync(gateway, Idle);

        Assert.Single(gateway.Output, line => line.Contains(Started, StringComparison.Ordinal));
        Assert.Matches(@"resident \d+ MB before, \d+ MB after, [0-9.]+ ms", string.Join("\n", gateway.Output));
    }

    private static async Task WaitForAsync(GatewayProcess gateway, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!gateway.Output.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no \"{text}\" in the gateway's log within 15 s:\n{string.Join("\n", gateway.Output)}");
            await Task.Delay(50);
        }
    }
}
