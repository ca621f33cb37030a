using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

/// <summary>
/// Open-loop load, as wrk2 makes it (wrk2 is not packaged for Debian): requests are sent at a fixed rate whatever the
/// answers do, over a fixed set of keep-alive HTTP/1.1 connections, and each is timed from when it was sent or, when
/// every connection was busy, from when it joined the queue for one. A stall therefore counts for every request it
/// held up (no coordinated omission), which a closed loop (wrk) hides by sending less while answers are slow. The
/// client's own lateness (its sleeps overrun on a busy or virtual machine) is reported apart and not charged to the
/// server: it would otherwise dominate at low rates here (sleeps overrun by ~1 ms).
/// </summary>
internal static partial class OpenLoopBench
{
    private const int WarmUpSeconds = 1;

    private static readonly string Content = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 20));

    /// <summary>
    /// <c>open URL RATE SECONDS CONNECTIONS [Name:value ...]</c>: RATE requests a second for SECONDS over CONNECTIONS
    /// connections, the same 1 KB chat request as <c>bench/chat.lua</c>. Prints one line:
    /// <c>RESULT rate= achieved= p50_us= p99_us= p999_us= max_us= requests= errors= late_p99_us=</c>; late is how far
    /// behind its schedule this client dispatched (its own limit, not the server's), errors are non-200 answers, closed
    /// connections and requests unanswered 5 s after the last was due. A first second at the rate is not counted.
    /// <c>BENCH_OPEN_TRACE=file</c> writes every answer's send time (ms) and latency (us), to see when slow ones came.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(args[1]);
        var rate = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var connections = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
        var body = $$"""{"model":"sim-1","max_tokens":16,"messages":[{"role":"user","content":"{{Content}}"}]}""";
        var head = new StringBuilder()
            .Append("POST ").Append(url.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(url.Authority).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
        foreach (var header in args[5..])
        {
            var colon = header.IndexOf(':');
            head.Append(header[..colon].Trim()).Append(": ").Append(header[(colon + 1)..].Trim()).Append("\r\n");
        }

        // One second at the rate first, not counted: fresh connections and this client's own JIT compilation would
        // otherwise be the first 200 ms of every run (wrk2 calibrates for ten).
        var load = new Load(Encoding.UTF8.GetBytes(head.Append("\r\n").Append(body).ToString()), (long)Math.Round(rate * (seconds + WarmUpSeconds)));
        for (var i = 0; i < connections; i++)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(url.Host, url.Port);
            var connection = new Connection(socket);
            load.Idle.Push(connection);
            _ = Task.Run(() => load.ReadAsync(connection));
        }

        _ = SetTimerSlack(); // sleeps as short as asked (the default slack is 50 us)
        // The schedule runs on a thread of its own; this one (a thread-pool thread after the awaits above) must not
        // block waiting for it: pinned to one core the pool has one thread, and every answer needs it.
        var scheduled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            load.Schedule(rate);
            scheduled.SetResult();
        })
        { IsBackground = true, Name = "open-loop scheduler" }.Start();
        await scheduled.Task;
        var deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
        while (Interlocked.Read(ref load.Finished) < load.Total && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10);
        }

        load.Stop();
        Console.WriteLine(load.Report(rate));
        if (Environment.GetEnvironmentVariable("BENCH_OPEN_TRACE") is { Length: > 0 } trace)
        {
            load.Trace(trace); // every answer: when it was sent (ms from the start) and its latency (us)
        }
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int Sleep(uint microseconds);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint value, nuint a, nuint b, nuint c);

    private static int SetTimerSlack() => OperatingSystem.IsLinux() ? Prctl(29 /* PR_SET_TIMERSLACK */, 1, 0, 0, 0) : 0;

    private sealed class Connection(Socket socket)
    {
        public Socket Socket { get; } = socket;

        public byte[] Buffer { get; } = new byte[1 << 16];

        public int Start { get; set; }

        public int End { get; set; }

        /// <summary>When the request in flight on this connection was dispatched (0: none in flight).</summary>
        public long Since { get; set; }
    }

    private sealed class Load(byte[] request, long total)
    {
        private readonly Lock _gate = new();
        private readonly Queue<long> _waiting = new();
        private readonly long[] _latencies = new long[total];
        private readonly long[] _sentAt = new long[total];
        private readonly long[] _late = new long[total];
        private long _sent;
        private long _answered;
        private long _errors;
        private long _first;
        private long _measureFrom;
        private long _last;
        private volatile bool _stopped;

        public Stack<Connection> Idle { get; } = new();

        public long Total { get; } = total;

        public long Finished; // answered or failed

        /// <summary>Runs on its own thread: every request due by now is sent (or queued for a free connection), then
        /// a sleep until the next is due.</summary>
        public void Schedule(double rate)
        {
            var interval = Stopwatch.Frequency / rate;
            _first = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 100;
            _measureFrom = _first + WarmUpSeconds * Stopwatch.Frequency;
            for (long i = 0; i < Total;)
            {
                var now = Stopwatch.GetTimestamp();
                for (; i < Total && _first + (long)(i * interval) <= now; i++)
                {
                    var due = _first + (long)(i * interval);
                    if (due >= _measureFrom)
                    {
                        _late[_sent++] = now - due;
                    }

                    Dispatch(now);
                }

                if (i < Total)
                {
                    var wait = (_first + (long)(i * interval) - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
                    if (wait > 0)
                    {
                        Sleep((uint)Math.Min(wait, 1_000));
                    }
                }
            }
        }

        public async Task ReadAsync(Connection connection)
        {
            try
            {
                while (!_stopped)
                {
                    if (connection.End == connection.Buffer.Length)
                    {
                        throw new InvalidOperationException("an answer larger than 64 KB");
                    }

                    var read = await connection.Socket.ReceiveAsync(connection.Buffer.AsMemory(connection.End), SocketFlags.None);
                    if (read == 0)
                    {
                        break;
                    }

                    connection.End += read;
                    while (Http1Answer.TryRead(connection.Buffer.AsSpan(connection.Start, connection.End - connection.Start), out var length, out var status))
                    {
                        connection.Start += length;
                        Answered(connection, status);
                    }

                    if (connection.Start == connection.End)
                    {
                        connection.Start = connection.End = 0;
                    }
                    else if (connection.Start > connection.Buffer.Length / 2)
                    {
                        connection.Buffer.AsSpan(connection.Start, connection.End - connection.Start).CopyTo(connection.Buffer);
                        connection.End -= connection.Start;
                        connection.Start = 0;
                    }
                }
            }
            catch (Exception) when (_stopped)
            {
            }
            catch (Exception)
            {
                // A broken connection: its request failed; the rest carry on without it.
            }

            if (!_stopped && connection.Since != 0)
            {
                Interlocked.Increment(ref _errors);
                Interlocked.Increment(ref Finished);
            }
        }

        public void Stop()
        {
            _stopped = true;
            lock (_gate)
            {
                foreach (var connection in Idle)
                {
                    connection.Socket.Dispose();
                }
            }
        }

        public string Report(double rate)
        {
            var answered = (int)Interlocked.Read(ref _answered);
            var latencies = _latencies.AsSpan(0, answered).ToArray();
            Array.Sort(latencies);
            var late = _late.AsSpan(0, (int)_sent).ToArray();
            Array.Sort(late);
            var errors = Interlocked.Read(ref _errors) + (Total - Interlocked.Read(ref Finished));
            var span = (double)(_last - _measureFrom) / Stopwatch.Frequency;
            var achieved = span > 0 ? answered / span : 0;
            return FormattableString.Invariant(
                $"RESULT rate={rate:F0} achieved={achieved:F1} p50_us={Us(latencies, 0.50)} p99_us={Us(latencies, 0.99)} p999_us={Us(latencies, 0.999)} max_us={Us(latencies, 1)} requests={answered} errors={errors} late_p99_us={Us(late, 0.99)}");
        }

        public void Trace(string path)
        {
            using var file = new StreamWriter(path);
            for (var i = 0; i < Interlocked.Read(ref _answered); i++)
            {
                file.WriteLine(FormattableString.Invariant($"{(_sentAt[i] - _measureFrom) * 1000.0 / Stopwatch.Frequency:F3} {_latencies[i] * 1_000_000 / Stopwatch.Frequency}"));
            }
        }

        private static long Us(long[] sorted, double quantile)
            => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))] * 1_000_000 / Stopwatch.Frequency;

        private void Dispatch(long since)
        {
            Connection? connection;
            lock (_gate)
            {
                if (!Idle.TryPop(out connection))
                {
                    _waiting.Enqueue(since);
                    return;
                }
            }

            Send(connection, since);
        }

        private void Answered(Connection connection, int status)
        {
            var now = Stopwatch.GetTimestamp();
            if (status == 200 && connection.Since < _measureFrom)
            {
                // warm-up: answered, not timed
            }
            else if (status == 200)
            {
                var at = Interlocked.Increment(ref _answered) - 1;
                _latencies[at] = now - connection.Since;
                _sentAt[at] = connection.Since;
            }
            else
            {
                Interlocked.Increment(ref _errors);
            }

            Volatile.Write(ref _last, now);
            Interlocked.Increment(ref Finished);
            connection.Since = 0;
            long next;
            lock (_gate)
            {
                if (!_waiting.TryDequeue(out next))
                {
                    Idle.Push(connection);
                    return;
                }
            }

            Send(connection, next);
        }

        private void Send(Connection connection, long since)
        {
            connection.Since = since;
            try
            {
                connection.Socket.Send(request);
            }
            catch (SocketException)
            {
                // The reader sees the connection close and counts the failure.
            }
        }
    }
}
