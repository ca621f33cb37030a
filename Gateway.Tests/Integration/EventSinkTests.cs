using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gateway.Tests.Integration;

/// <summary>The sink against the real Postgres: batches land once, survive an outage, and drain at shutdown.</summary>
public sealed class EventSinkTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(TestServices.Postgres);

    public async Task InitializeAsync() => await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);

    public Task DisposeAsync() => _postgres.DisposeAsync().AsTask();

    [Fact]
    public async Task Write_SameBatchTwice_StoresEachEventOnce()
    {
        var tenant = TestServices.NewTenantId();
        var batch = Enumerable.Range(0, 50).Select(i => Event(tenant, i)).ToList();
        var writer = new PostgresEventWriter(_postgres);

        var first = await writer.WriteAsync(batch, CancellationToken.None);
        var second = await writer.WriteAsync(batch, CancellationToken.None);

        Assert.Equal(50, first);
        Assert.Equal(0, second);
        Assert.Equal(50, await CountAsync(tenant));
        var (events, _) = await new EventReader(_postgres).ListAsync(tenant, null, 100, CancellationToken.None);
        Assert.Equal(batch.Select(e => e.EventId), events.Select(e => e.EventId));
        Assert.Equal(batch[7], events[7] with { Metadata = batch[7].Metadata });
        Assert.Equal("v", events[7].Metadata!["k"]);
    }

    [Fact]
    public async Task Flusher_PostgresDownThenBack_LosesNothing()
    {
        var builder = new NpgsqlConnectionStringBuilder(TestServices.Postgres);
        await using var gate = new TcpGate("127.0.0.1", builder.Port);
        builder.Port = gate.Port;
        builder.Pooling = false;
        builder.Timeout = 2;
        await using var gated = NpgsqlDataSource.Create(builder.ConnectionString);
        var options = Options.Create(new SinkOptions { FlushInterval = TimeSpan.FromMilliseconds(20), RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(200) });
        var sink = new ChannelEventSink(options);
        using var flusher = new EventFlusherService(sink, new PostgresEventWriter(gated), options, TimeProvider.System, new Gateway.Metering.Wallets.SettleTracker(), NullLogger<EventFlusherService>.Instance);
        var tenant = TestServices.NewTenantId();

        gate.Close();
        await flusher.StartAsync(CancellationToken.None);
        for (var i = 0; i < 30; i++)
        {
            await sink.WriteAsync(Event(tenant, i));
        }

        await Task.Delay(500);
        Assert.Equal(0, await CountAsync(tenant)); // down: nothing written, nothing dropped
        gate.Open();
        await WaitForAsync(() => CountAsync(tenant), 30);
        for (var i = 30; i < 40; i++)
        {
            await sink.WriteAsync(Event(tenant, i));
        }

        await flusher.StoppedAsync(CancellationToken.None); // shutdown drains the rest
        Assert.Equal(40, await CountAsync(tenant));
    }

    private async Task<long> CountAsync(string tenant)
    {
        await using var command = _postgres.CreateCommand("SELECT count(*) FROM metering_events WHERE tenant_id = $1");
        command.Parameters.AddWithValue(tenant);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitForAsync(Func<Task<long>> probe, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await probe() != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(expected, await probe());
    }

    internal static MeteringEvent Event(string tenant, int i) => new()
    {
        EventId = Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddDays(20_000).AddMilliseconds(i)),
        OccurredAt = DateTimeOffset.UnixEpoch.AddDays(20_000).AddMilliseconds(i),
        TenantId = tenant,
        KeyId = "key_test",
        Provider = "openai",
        Endpoint = "/v1/chat/completions",
        Model = "gpt-4o",
        ServedModel = "gpt-4o-2024",
        Streamed = i % 2 == 0,
        Status = EventStatus.Completed,
        HttpStatus = 200,
        Billable = true,
        InputTokens = 100 + i,
        OutputTokens = 10 + i,
        CachedInputTokens = 50,
        CacheWriteTokens = 3,
        ReasoningTokens = 5,
        AudioInputTokens = 1,
        AudioOutputTokens = 2,
        TotalTokens = 110 + (2 * i),
        UsageSource = "provider",
        Feature = "f",
        Environment = "prod",
        EndUser = "u",
        TraceId = "t",
        Metadata = new Dictionary<string, string> { ["k"] = "v" },
        LatencyMs = 12,
        TtftMs = i % 3 == 0 ? null : 4,
        RawUsage = """{"prompt_tokens":100,"completion_tokens":10}""",
    };
}
