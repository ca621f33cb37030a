using System.Text.Json;
using Gateway.Metering.Events;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Metering.Sink;

/// <summary>
/// Moves events from the Redis streams (one per shard, appended by the settle script) to Postgres. Every gateway runs
/// one consumer of the group <c>flushers</c>; an entry is acknowledged and deleted only after the batch holding it
/// committed, so a consumer that dies leaves its entries pending, and a live one claims them after
/// <see cref="SinkOptions.ClaimAfter"/> (XAUTOCLAIM). Writing an entry twice is harmless (event ids are unique).
/// </summary>
internal sealed class StreamFlusherService(
    IConnectionMultiplexer redis,
    PostgresEventWriter writer,
    IOptions<SinkOptions> options,
    TimeProvider time,
    SettleTracker settles,
    ILogger<StreamFlusherService> logger,
    Telemetry.MeteringMetrics? metrics = null) : IHostedLifecycleService, IDisposable
{
    public const string Group = "flushers";

    private readonly SinkOptions _options = options.Value;
    private readonly string _consumer = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await settles.WhenIdleAsync(_options.ShutdownTimeout, time); // settles still append events
        _stopping.TrySetResult();
        var finished = await Task.WhenAny(_loop, Task.Delay(_options.ShutdownTimeout, time, CancellationToken.None));
        if (finished != _loop)
        {
            logger.DrainTimedOut(-1); // what is left stays in Redis, pending or new, for the next consumer
            await _abort.CancelAsync();
        }

        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var db = redis.GetDatabase();
        var groupsReady = false;
        var delay = _options.RetryDelay;
        var cycle = 0;
        while (!abort.IsCancellationRequested)
        {
            var stopping = _stopping.Task.IsCompleted;
            List<(int Shard, StreamEntry Entry)> entries;
            try
            {
                if (!groupsReady)
                {
                    await CreateGroupsAsync(db);
                    groupsReady = true;
                }

                entries = await ReadAsync(db, claim: cycle++ % 25 == 0);
                delay = _options.RetryDelay;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (stopping)
                {
                    return; // Redis gone at shutdown: entries stay in the stream for later
                }

                if (ex is RedisServerException && ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
                {
                    groupsReady = false; // Redis restarted empty: the streams and groups are made again
                }

                logger.StreamReadFailed(ex, delay);
                metrics?.RedisError();
                await Task.WhenAny(Task.Delay(delay, time, abort), _stopping.Task);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                continue;
            }

            if (entries.Count == 0)
            {
                if (stopping)
                {
                    return; // drained
                }

                await Task.WhenAny(Task.Delay(_options.FlushInterval, time, abort), _stopping.Task);
                continue;
            }

            try
            {
                for (var start = 0; start < entries.Count; start += _options.BatchSize)
                {
                    await WriteAndAcknowledgeAsync(db, entries.GetRange(start, Math.Min(_options.BatchSize, entries.Count - start)), abort);
                }

                if (entries.Count < _options.BatchSize / 2 && !stopping)
                {
                    // A partial batch: let the next one fill for a flush interval rather than poll every shard again
                    // at once (batches by count or time; keeps Redis commands per event far below one).
                    await Task.WhenAny(Task.Delay(_options.FlushInterval, time, abort), _stopping.Task);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Written but not acknowledged: the entries stay pending and are claimed and written again later
                // (harmless: event ids are unique). The loop must survive any Redis failure.
                logger.AcknowledgeFailed(ex, entries.Count);
                metrics?.RedisError();
                await Task.WhenAny(Task.Delay(delay, time, abort), _stopping.Task);
            }
        }
    }

    private async Task WriteAndAcknowledgeAsync(IDatabase db, List<(int Shard, StreamEntry Entry)> entries, CancellationToken abort)
    {
        var events = new List<MeteringEvent>(entries.Count);
        var parsed = 0;
        foreach (var (shard, entry) in entries)
        {
            if (++parsed % 64 == 0)
            {
                await Task.Yield(); // parsing a batch is milliseconds of CPU: let the requests on this core in between
            }

            if (Parse(entry) is { } e)
            {
                events.Add(e);
            }
            else
            {
                var stream = WalletKeys.StreamOfShard(shard);
                RedisKey dead = "{gw" + shard + "}:events:dead";
                await db.StreamAddAsync(dead, entry.Values);
                logger.PoisonEntry(entry.Id!, stream!, dead!);
            }
        }

        if (events.Count > 0)
        {
            await BatchRetry.WriteAsync(writer, events, _options, time, logger, abort, metrics);
        }

        await AcknowledgeAsync(db, entries);
    }

    private async Task<List<(int, StreamEntry)>> ReadAsync(IDatabase db, bool claim)
    {
        // Each shard up to a whole batch (one busy tenant lives in one shard, and must drain as fast as many), in
        // pages read one after another: Redis serves the admissions in between.
        var page = Math.Min(_options.RedisPageSize, _options.BatchSize);
        var entries = new List<(int, StreamEntry)>();
        for (var shard = 0; shard < WalletKeys.Shards; shard++)
        {
            var stream = WalletKeys.StreamOfShard(shard);
            RedisValue cursor = "0-0"; // XAUTOCLAIM's: where the next page of pending entries starts
            for (var read = 0; read < _options.BatchSize;)
            {
                var count = Math.Min(page, _options.BatchSize - read);
                StreamEntry[] got;
                var more = true;
                if (claim)
                {
                    var claimed = await db.StreamAutoClaimAsync(stream, Group, _consumer, (long)_options.ClaimAfter.TotalMilliseconds, cursor, count);
                    got = claimed.ClaimedEntries;
                    cursor = claimed.NextStartId;
                    more = cursor != "0-0"; // 0-0: the whole pending list was scanned
                }
                else
                {
                    got = await db.StreamReadGroupAsync(stream, Group, _consumer, StreamPosition.NewMessages, count);
                    more = got.Length == count;
                }

                foreach (var entry in got)
                {
                    if (!entry.IsNull)
                    {
                        entries.Add((shard, entry));
                    }
                }

                read += got.Length;
                if (!more)
                {
                    break;
                }
            }
        }

        return entries;
    }

    private async Task AcknowledgeAsync(IDatabase db, List<(int Shard, StreamEntry Entry)> entries)
    {
        var page = _options.RedisPageSize;
        foreach (var group in entries.GroupBy(e => e.Shard))
        {
            var stream = WalletKeys.StreamOfShard(group.Key);
            foreach (var chunk in group.Select(e => e.Entry.Id).Chunk(page))
            {
                // Acknowledged, then deleted: the two sent together, each page after the last one answered.
                var acknowledged = db.StreamAcknowledgeAsync(stream, Group, chunk);
                await db.StreamDeleteAsync(stream, chunk);
                await acknowledged;
            }
        }
    }

    private static async Task CreateGroupsAsync(IDatabase db)
    {
        for (var shard = 0; shard < WalletKeys.Shards; shard++)
        {
            try
            {
                await db.StreamCreateConsumerGroupAsync(WalletKeys.StreamOfShard(shard), Group, "0", createStream: true);
            }
            catch (RedisServerException ex) when (ex.Message.Contains("BUSYGROUP", StringComparison.Ordinal))
            {
                // another gateway made it
            }
        }
    }

    private static MeteringEvent? Parse(StreamEntry entry)
    {
        var json = entry["e"];
        if (json.IsNull)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)json).Span, EventJsonContext.Default.MeteringEvent); // UTF-8 as stored
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _abort.Dispose();
}
