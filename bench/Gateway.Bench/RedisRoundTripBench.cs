using System.Buffers.Text;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

/// <summary>
/// What a script call costs the calling process through StackExchange.Redis, against the least a client can do: one
/// connection, the command written by the caller itself, one receive loop that completes the caller inline. Sizes the
/// lever "a Redis client of our own for the two hot-path scripts" before anyone builds it (docs/benchmarks.md,
/// session 8). Both arms run the same one-line script by EVALSHA on the same server, in turn, in one process.
/// </summary>
internal static class RedisRoundTripBench
{
    private const string Script = "return redis.call('INCR', KEYS[1])";

    /// <summary><c>redis-rtt HOST:PORT ROUNDS SECONDS CONCURRENCY</c>: prints, per arm and round, calls a second,
    /// p50 and p99 of a call, and the CPU time of this process per call.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var endpoint = args[1];
        var rounds = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(Script));
        using var multiplexer = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var db = multiplexer.GetDatabase();
        await db.ScriptEvaluateAsync(Script, ["bench:rtt"]); // loads it
        RedisKey[] keys = ["bench:rtt"];
        var host = endpoint[..endpoint.LastIndexOf(':')];
        var port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        await using var raw = await RawScriptClient.ConnectAsync(host, port, Convert.ToHexStringLower(hash), "bench:rtt");

        Console.WriteLine($"| round | client | concurrency | calls/s | p50 us | p99 us | CPU us/call |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, call) in new (string, Func<Task>)[] { ("warm-up SE.Redis", () => db.ScriptEvaluateAsync(hash, keys)), ("warm-up raw", raw.CallAsync) })
        {
            await MeasureAsync(call, 3, concurrency);
        }

        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, call) in new (string, Func<Task>)[] { ("StackExchange.Redis", () => db.ScriptEvaluateAsync(hash, keys)), ("raw", raw.CallAsync) })
            {
                var (rate, p50, p99, cpu) = await MeasureAsync(call, seconds, concurrency);
                Console.WriteLine(FormattableString.Invariant($"| {round} | {name} | {concurrency} | {rate:F0} | {p50} | {p99} | {cpu:F1} |"));
            }
        }

        return 0;
    }

    private static async Task<(double Rate, long P50, long P99, double CpuUs)> MeasureAsync(Func<Task> call, double seconds, int concurrency)
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        var loops = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var times = new List<long>(1 << 16);
            while (Stopwatch.GetTimestamp() < until)
            {
                var t0 = Stopwatch.GetTimestamp();
                await call();
                times.Add(Stopwatch.GetTimestamp() - t0);
            }

            return times;
        })).ToArray();
        var all = (await Task.WhenAll(loops)).SelectMany(t => t).Order().ToArray();
        var elapsed = (double)(Stopwatch.GetTimestamp() - start) / Stopwatch.Frequency;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
        long Us(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] * 1_000_000 / Stopwatch.Frequency;
        return (all.Length / elapsed, Us(0.50), Us(0.99), cpu / all.Length);
    }

    /// <summary>EVALSHA of one script with one key on one connection: the caller writes, a single receive loop reads
    /// the integer replies in order and completes each caller on its own thread (no hop to the thread pool).</summary>
    private sealed class RawScriptClient : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _command;
        private readonly Queue<TaskCompletionSource> _pending = new();
        private readonly Lock _gate = new();
        private readonly Task _reader;

        private RawScriptClient(Socket socket, byte[] command)
        {
            _socket = socket;
            _command = command;
            _reader = Task.Run(ReadAsync);
        }

        public static async Task<RawScriptClient> ConnectAsync(string host, int port, string sha, string key)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(host, port);
            var command = Encoding.ASCII.GetBytes($"*4\r\n$7\r\nEVALSHA\r\n${sha.Length}\r\n{sha}\r\n$1\r\n1\r\n${key.Length}\r\n{key}\r\n");
            return new RawScriptClient(socket, command);
        }

        public Task CallAsync()
        {
            var done = new TaskCompletionSource(); // completed inline by the reader
            lock (_gate)
            {
                _pending.Enqueue(done);
                _socket.Send(_command); // in order with the queue
            }

            return done.Task;
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Dispose();
            try
            {
                await _reader;
            }
            catch (Exception)
            {
            }
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[1 << 16];
            int start = 0, end = 0;
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None);
                if (read == 0)
                {
                    return;
                }

                end += read;
                while (true)
                {
                    var line = buffer.AsSpan(start, end - start).IndexOf("\r\n"u8);
                    if (line < 0)
                    {
                        break;
                    }

                    if (buffer[start] != (byte)':' || !Utf8Parser.TryParse(buffer.AsSpan(start + 1, line - 1), out long _, out _))
                    {
                        throw new InvalidDataException("not an integer reply: " + Encoding.ASCII.GetString(buffer, start, line));
                    }

                    start += line + 2;
                    TaskCompletionSource done;
                    lock (_gate)
                    {
                        done = _pending.Dequeue();
                    }

                    done.SetResult();
                }

                if (start == end)
                {
                    start = end = 0;
                }
                else if (start > buffer.Length / 2)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
    }
}
