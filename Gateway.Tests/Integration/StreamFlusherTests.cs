using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Gateway.Metering.Wallets;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Gateway.Tests.Integration;

/// <summary>
/// The event-stream flusher against the real Redis and Postgres. Redis runs one command at a time, so one that reads
/// or deletes a thousand events holds every gateway's admission behind it: each command the flusher sends takes at
/// most <see cref="SinkOptions.RedisPageSize"/> entries, and every entry still reaches Postgres once.
/// </summary>
public sealed partial class StreamFlusherTests : IAsyncLifetime
{
    private const int Database = 2; // this file's own: no gateway of another test drains these streams
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(TestServices.Postgres);
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync()
    {
        await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
        _redis = await ConnectionMultiplexer.ConnectAsync(TestServices.RedisDatabase(2));
        var db = _redis.GetDatabase();
        for (var shard = 0; shard < WalletKeys.Shards; shard++)
        {
            await db.KeyDeleteAsync(WalletKeys.StreamOfShard(shard)); // a run before this one may have left entries
        }
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Flush_ThousandsOfEvents_EachCommandTakesOnePageAndAllArriveOnce()
    {
        var tenant = TestServices.NewTenantId();
        var db = _redis.GetDatabase();
        const int events = 1_050;
        var stream = await AppendEventsAsync(db, tenant, events);

        await using var monitor = await RedisMonitor.StartAsync(Database);
        var options = new SinkOptions { BatchSize = 1_000, RedisPageSize = 100, FlushInterval = TimeSpan.FromMilliseconds(20) };
        var flusher = await FlushUntilAsync(options, () => CountAsync(tenant), events);

        Assert.Equal(0, await db.StreamLengthAsync(stream));
        var commands = monitor.Commands();
        var reads = commands.Where(c => c[0] is "XREADGROUP").ToList();
        var acknowledged = commands.Where(c => c[0] is "XACK").Sum(c => c.Count - 3);
        var deleted = commands.Where(c => c[0] is "XDEL").Sum(c => c.Count - 2);
        Assert.True(reads.Count >= events / 100, $"{reads.Count} reads");
        Assert.All(reads, c => Assert.True(int.Parse(c[c.IndexOf("COUNT") + 1], System.Globalization.CultureInfo.InvariantCulture) <= 100, string.Join(' ', c)));
        Assert.All(commands.Where(c => c[0] is "XACK"), c => Assert.InRange(c.Count - 3, 1, 100));
        Assert.All(commands.Where(c => c[0] is "XDEL"), c => Assert.InRange(c.Count - 2, 1, 100));
        Assert.Equal(events, acknowledged);
        Assert.Equal(events, deleted);
        await flusher.StoppedAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_EntriesLeftPendingByADeadGateway_ClaimedPageByPageAndWritten()
    {
        var tenant = TestServices.NewTenantId();
        var db = _redis.GetDatabase();
        const int events = 250;
        var stream = await AppendEventsAsync(db, tenant, events);

        var taken = await db.StreamReadGroupAsync(stream, StreamFlusherService.Group, "a-gateway-that-died", StreamPosition.NewMessages, events);
        Assert.Equal(events, taken.Length); // pending on a consumer that will never acknowledge them

        await using var monitor = await RedisMonitor.StartAsync(Database);
        var options = new SinkOptions { RedisPageSize = 100, ClaimAfter = TimeSpan.Zero, FlushInterval = TimeSpan.FromMilliseconds(20) };
        var flusher = await FlushUntilAsync(options, () => CountAsync(tenant), events);

        Assert.Equal(0, await db.StreamLengthAsync(stream));
        Assert.Equal(0, (await db.StreamPendingAsync(stream, StreamFlusherService.Group)).PendingMessageCount);
        var claims = monitor.Commands().Where(c => c[0] is "XAUTOCLAIM").ToList();
        Assert.Contains(claims, c => c[5] != "0-0"); // a later page starts where the last one ended
        Assert.All(claims, c => Assert.True(int.Parse(c[c.IndexOf("COUNT") + 1], System.Globalization.CultureInfo.InvariantCulture) <= 100, string.Join(' ', c)));
        await flusher.StoppedAsync(CancellationToken.None);
    }

    private async Task<StreamFlusherService> FlushUntilAsync(SinkOptions options, Func<Task<long>> written, long expected)
    {
        var flusher = new StreamFlusherService(_redis, new PostgresEventWriter(_postgres), Options.Create(options), TimeProvider.System, new SettleTracker(), NullLogger<StreamFlusherService>.Instance);
        await flusher.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await written() < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(expected, await written());
        await Task.Delay(200); // acknowledged and deleted after the commit
        return flusher;
    }

    /// <summary>The flushers' group on every shard, then <paramref name="count"/> events of the tenant in its shard's
    /// stream, as the settle script appends them.</summary>
    private static async Task<RedisKey> AppendEventsAsync(IDatabase db, string tenant, int count)
    {
        for (var shard = 0; shard < WalletKeys.Shards; shard++)
        {
            await db.StreamCreateConsumerGroupAsync(WalletKeys.StreamOfShard(shard), StreamFlusherService.Group, "0", createStream: true);
        }

        var stream = WalletKeys.StreamOfShard(WalletKeys.ShardOf(tenant));
        for (var i = 0; i < count; i++)
        {
            await db.StreamAddAsync(stream, "e", Json(EventSinkTests.Event(tenant, i)));
        }

        return stream;
    }

    private static byte[] Json(MeteringEvent e) => JsonSerializer.SerializeToUtf8Bytes(e, EventJsonContext.Default.MeteringEvent);

    private async Task<long> CountAsync(string tenant)
    {
        await using var command = _postgres.CreateCommand("SELECT count(*) FROM metering_events WHERE tenant_id = $1");
        command.Parameters.AddWithValue(tenant);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Redis's own MONITOR, read off a plain socket: every command the server ran in one database.</summary>
    private sealed partial class RedisMonitor : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly List<string> _lines = [];
        private readonly Task _reading;
        private readonly string _database;

        private RedisMonitor(TcpClient client, int database)
        {
            _client = client;
            _database = $"[{database} ";
            _reading = Task.Run(ReadAsync);
        }

        public static async Task<RedisMonitor> StartAsync(int database)
        {
            var endpoint = (Environment.GetEnvironmentVariable("GATEWAY_REDIS") ?? "127.0.0.1:6380").Split(',')[0].Split(':');
            var client = new TcpClient();
            await client.ConnectAsync(endpoint[0], int.Parse(endpoint[1], System.Globalization.CultureInfo.InvariantCulture));
            await client.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
            var monitor = new RedisMonitor(client, database);
            await Task.Delay(100); // +OK, then the commands
            return monitor;
        }

        /// <summary>Commands seen so far in this database, each as its name (upper case) and its arguments.</summary>
        public List<List<string>> Commands()
        {
            lock (_lines)
            {
                return _lines.Where(l => l.Contains(_database, StringComparison.Ordinal))
                    .Select(l => Argument().Matches(l[l.IndexOf(']', StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToList())
                    .Where(c => c.Count > 0)
                    .Select(c => { c[0] = c[0].ToUpperInvariant(); return c; })
                    .ToList();
            }
        }

        private async Task ReadAsync()
        {
            using var reader = new StreamReader(_client.GetStream(), Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    lock (_lines)
                    {
                        _lines.Add(line);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // closed at the end of the test
            }
        }

        [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
        private static partial Regex Argument();

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await _reading;
        }
    }
}
