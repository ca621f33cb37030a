using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Security;

/// <summary>
/// Slowloris: a client trickling its headers or body a byte at a time is cut off after the configured limits
/// (Proxy:RequestHeadersTimeout, Proxy:MinRequestBodyDataRate), not held open for as long as it likes.
/// </summary>
public sealed class SlowClientTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
    {
        ["Proxy:RequestHeadersTimeout"] = "00:00:01",
        ["Proxy:MinRequestBodyDataRate"] = "100",
        ["Proxy:MinRequestBodyDataRateGracePeriod"] = "00:00:02",
    });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Headers_TrickledAByteAtATime_ConnectionClosedAfterTheTimeout()
    {
        using var client = await RawHttp.ConnectAsync(_gateway.BaseUrl);
        var stream = client.GetStream();
        var started = Stopwatch.StartNew();
        await stream.WriteAsync("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"u8.ToArray());

        var closed = await TrickleUntilClosedAsync(stream, "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"u8.ToArray(), TimeSpan.FromSeconds(12));

        Assert.True(closed, "the gateway kept a connection whose headers never ended");
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6)); // 1 s, checked on a 1 s heartbeat
    }

    [Fact]
    public async Task Body_TrickledBelowTheMinimumRate_408AndClosed()
    {
        var (_, key, _) = await _gateway.NewTenantAsync();
        using var client = await RawHttp.ConnectAsync(_gateway.BaseUrl);
        var stream = client.GetStream();
        var started = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer " + key + "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"));

        var reading = RawHttp.ReadToCloseAsync(stream, TimeSpan.FromSeconds(15));
        var closed = await TrickleUntilClosedAsync(stream, Encoding.ASCII.GetBytes(new string(' ', 100)), TimeSpan.FromSeconds(15), reading);
        var answer = await reading;

        Assert.True(closed, "the gateway kept reading a body arriving at 2 bytes/s");
        Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"request_timeout\"", answer, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(4.8)); // 2 s grace, then the rate check (Kestrel's default: 5 s)
    }

    [Fact]
    public async Task NormalClient_Unaffected()
    {
        var (_, key, _) = await _gateway.NewTenantAsync();
        await GatewayFixture.PriceSimulatedModelsAsync(_gateway);
        using var client = _gateway.Client(key);

        var response = await client.PostAsync("/v1/chat/completions", new StringContent("{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Writes one byte every 500 ms until the server closes the connection (true) or the time is up.</summary>
    private static async Task<bool> TrickleUntilClosedAsync(NetworkStream stream, byte[] bytes, TimeSpan limit, Task<string>? reading = null)
    {
        var probe = new byte[1];
        reading ??= ReadOneAsync(stream, probe);
        var deadline = Stopwatch.StartNew();
        for (var i = 0; deadline.Elapsed < limit; i++)
        {
            if (reading.IsCompleted)
            {
                return true;
            }

            try
            {
                await stream.WriteAsync(bytes.AsMemory(i % bytes.Length, 1));
            }
            catch (IOException)
            {
                return true;
            }

            await Task.WhenAny(reading, Task.Delay(500));
        }

        return reading.IsCompleted;
    }

    private static async Task<string> ReadOneAsync(NetworkStream stream, byte[] probe)
    {
        try
        {
            while (await stream.ReadAsync(probe) > 0)
            {
            }
        }
        catch (IOException)
        {
        }

        return string.Empty;
    }
}
