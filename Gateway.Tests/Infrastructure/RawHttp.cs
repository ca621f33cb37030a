using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>HTTP/1.1 over a plain socket, for what HttpClient will not send: chosen hop-by-hop headers, bytes trickled
/// one at a time.</summary>
internal static class RawHttp
{
    public static async Task<TcpClient> ConnectAsync(string baseUrl)
    {
        var uri = new Uri(baseUrl);
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(uri.Host, uri.Port);
        return client;
    }

    /// <summary>Sends the request text as is and reads one whole answer (Content-Length or chunked), or until the
    /// server closes the connection, or the timeout.</summary>
    public static async Task<string> SendAsync(string baseUrl, string request, TimeSpan? timeout = null)
    {
        using var client = await ConnectAsync(baseUrl);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        return await ReadToCloseAsync(stream, timeout ?? TimeSpan.FromSeconds(10), stopWhenWhole: true);
    }

    public static async Task<string> ReadToCloseAsync(NetworkStream stream, TimeSpan timeout, bool stopWhenWhole = false)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancel.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (stopWhenWhole && IsWhole(Encoding.UTF8.GetString(received.ToArray())))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // timed out, or reset: what arrived is the answer
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static bool IsWhole(string answer)
    {
        var end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var head = answer[..end];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            return answer.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
        }

        var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is not null && Encoding.UTF8.GetByteCount(answer[(end + 4)..]) >= int.Parse(length["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
