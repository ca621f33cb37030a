using System.Diagnostics;
using System.Net;
using System.Text;

/// <summary>
/// Streaming, which wrk cannot measure: the client's time to the first SSE event and the gaps between events
/// (<c>stream</c>), and many concurrent streams that must each arrive whole (<c>streams</c>). Talks plain HTTP/1.1
/// with HttpClient to whatever URL it is given (the simulator, a proxy, the gateway); headers come as arguments.
/// </summary>
internal static class StreamBench
{
    // The same ~1 KB user message as bench/chat.lua.
    private static readonly string Content = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 20));

    /// <summary>
    /// <c>stream URL CONCURRENCY SECONDS DELAY_MS TOKENS [Name:value ...]</c>: streams of TOKENS tokens back to back for
    /// SECONDS on CONCURRENCY connections, the upstream pausing DELAY_MS after every chunk. Prints one RESULT line.
    /// </summary>
    public static async Task<int> LatencyAsync(string[] args)
    {
        var (url, concurrency, seconds, delayMs, tokens) = (args[1], int.Parse(args[2]), double.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5]));
        using var client = Client(args[6..], concurrency);
        var ttft = new List<long>();
        var gaps = new List<long>();
        long streams = 0, errors = 0;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var myTtft = new List<long>();
            var myGaps = new List<long>();
            var first = true; // a new connection's first stream (connect, first request) is not a sample
            while (Stopwatch.GetTimestamp() < until)
            {
                var result = await OneAsync(client, url, tokens, delayMs, CancellationToken.None);
                if (result.Error is not null || !result.Done || result.ContentChunks != tokens)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                if (first)
                {
                    first = false;
                    continue;
                }

                myTtft.Add(result.FirstEventTicks);
                myGaps.AddRange(result.GapTicks);
                Interlocked.Increment(ref streams);
            }

            lock (ttft)
            {
                ttft.AddRange(myTtft);
                gaps.AddRange(myGaps);
            }
        });
        await Task.WhenAll(workers);
        ttft.Sort();
        gaps.Sort();
        Console.WriteLine($"RESULT ttft_p50_us={Us(ttft, 0.50)} ttft_p99_us={Us(ttft, 0.99)} gap_p50_us={Us(gaps, 0.50)} gap_p99_us={Us(gaps, 0.99)} streams={streams} gaps={gaps.Count} errors={errors}");
        return 0;
    }

    /// <summary>
    /// <c>streams URL COUNT CHUNKS DELAY_MS [Name:value ...]</c>: COUNT streams open at once (started in waves of 500),
    /// each CHUNKS tokens with DELAY_MS between chunks; every one must bring exactly CHUNKS content chunks and
    /// <c>[DONE]</c>. Prints one RESULT line; exits 1 if any stream lost anything.
    /// </summary>
    public static async Task<int> ManyAsync(string[] args)
    {
        var (url, count, chunks, delayMs) = (args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]));
        using var client = Client(args[5..], count);
        client.Timeout = TimeSpan.FromMinutes(5);
        var open = 0;
        var maxOpen = 0;
        var clock = Stopwatch.StartNew();
        var tasks = new List<Task<StreamResult>>(count);
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && i % 500 == 0)
            {
                await Task.Delay(50); // waves, so the listen backlog is not the thing measured
            }

            tasks.Add(Task.Run(async () =>
            {
                var result = await OneAsync(client, url, chunks, delayMs, CancellationToken.None, onHeaders: () =>
                {
                    var now = Interlocked.Increment(ref open);
                    int seen;
                    while (now > (seen = Volatile.Read(ref maxOpen)) && Interlocked.CompareExchange(ref maxOpen, now, seen) != seen)
                    {
                    }
                });
                Interlocked.Decrement(ref open);
                return result;
            }));
        }

        var results = await Task.WhenAll(tasks);
        var complete = results.Count(r => r.Error is null && r.Done && r.ContentChunks == chunks);
        var lost = results.Where(r => r.Error is null).Sum(r => Math.Max(0, chunks - r.ContentChunks));
        var failed = results.Count(r => r.Error is not null);
        var firstError = results.FirstOrDefault(r => r.Error is not null).Error;
        Console.WriteLine($"RESULT streams={count} complete={complete} max_open={maxOpen} lost_chunks={lost} no_done={results.Count(r => r.Error is null && !r.Done)} failed={failed} seconds={clock.Elapsed.TotalSeconds:F1}{(firstError is null ? "" : " first_error=\"" + firstError + "\"")}");
        return complete == count ? 0 : 1;
    }

    private static HttpClient Client(string[] headers, int connections)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(connections, 1),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        });
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':');
            client.DefaultRequestHeaders.TryAddWithoutValidation(header[..colon].Trim(), header[(colon + 1)..].Trim());
        }

        return client;
    }

    private readonly record struct StreamResult(long FirstEventTicks, List<long> GapTicks, int ContentChunks, bool Done, string? Error);

    private static async Task<StreamResult> OneAsync(HttpClient client, string url, int tokens, int delayMs, CancellationToken cancellationToken, Action? onHeaders = null)
    {
        var gaps = new List<long>(tokens + 4);
        var body = $$"""{"model":"sim-1","max_tokens":{{tokens}},"stream":true,"messages":[{"role":"user","content":"{{Content}}"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Simulator-Chunk-Delay-Ms", delayMs.ToString());
        long first = -1, last = 0;
        int contentChunks = 0;
        var done = false;
        try
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new StreamResult(0, gaps, 0, false, $"HTTP {(int)response.StatusCode}");
            }

            onHeaders?.Invoke();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[16 * 1024];
            var pending = new StringBuilder();
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var now = Stopwatch.GetTimestamp();
                pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var text = pending.ToString();
                int end;
                var consumed = 0;
                while ((end = text.IndexOf("\n\n", consumed, StringComparison.Ordinal)) >= 0)
                {
                    var sseEvent = text.AsSpan(consumed, end - consumed);
                    consumed = end + 2;
                    if (!sseEvent.StartsWith("data: "))
                    {
                        continue;
                    }

                    if (first < 0)
                    {
                        first = now - started;
                    }
                    else
                    {
                        gaps.Add(now - last);
                    }

                    last = now;
                    if (sseEvent.SequenceEqual("data: [DONE]"))
                    {
                        done = true;
                    }
                    else if (sseEvent.Contains("\"delta\":{\"content\":", StringComparison.Ordinal))
                    {
                        contentChunks++;
                    }
                }

                pending.Remove(0, consumed);
            }

            return new StreamResult(first, gaps, contentChunks, done, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException)
        {
            return new StreamResult(first, gaps, contentChunks, done, ex.GetType().Name + ": " + ex.Message.Replace('"', '\''));
        }
    }

    private static long Us(List<long> sortedTicks, double quantile)
        => sortedTicks.Count == 0 ? 0 : sortedTicks[Math.Min(sortedTicks.Count - 1, (int)(quantile * sortedTicks.Count))] * 1_000_000 / Stopwatch.Frequency;
}
