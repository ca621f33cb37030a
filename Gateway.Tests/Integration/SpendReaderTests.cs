using Gateway.Metering.Alerts;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Integration;

/// <summary>The spend-spike input from stored events: the last 60 seconds against the window before them.</summary>
public sealed class SpendReaderTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(TestServices.Postgres);

    public async Task InitializeAsync() => await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);

    public Task DisposeAsync() => _postgres.DisposeAsync().AsTask();

    [Fact]
    public async Task Read_SplitsLastMinuteFromTrailingWindow_IgnoresOlderAndOtherTenants()
    {
        var tenant = TestServices.NewTenantId("sp");
        var now = DateTimeOffset.UtcNow;
        await WriteAsync(
            (tenant, now.AddSeconds(-10), 700),
            (tenant, now.AddSeconds(-59), 300),
            (tenant, now.AddSeconds(-61), 50),
            (tenant, now.AddMinutes(-30), 40),
            (tenant, now.AddMinutes(-62), 9_999), // outside a 60-minute window before the last minute
            ("other-" + tenant, now.AddSeconds(-5), 8_888));

        var (lastMinute, trailing) = await new SpendReader(_postgres).ReadAsync(tenant, now, 60, CancellationToken.None);

        Assert.Equal(1000, lastMinute);
        Assert.Equal(90, trailing);
    }

    [Fact]
    public async Task Read_BusyHistory_SameBurstIsNoSpike_QuietHistory_Spike()
    {
        var busy = TestServices.NewTenantId("sp");
        var quiet = TestServices.NewTenantId("sp");
        var now = DateTimeOffset.UtcNow;
        var history = Enumerable.Range(2, 59).Select(m => (busy, now.AddMinutes(-m), 2_000L)); // ~2,000 tokens a minute for an hour
        await WriteAsync([.. history, (busy, now.AddSeconds(-20), 5_000), (quiet, now.AddSeconds(-20), 5_000), (quiet, now.AddMinutes(-10), 100)]);
        var rule = new SpendSpikeRule(3m, 60, 1000);
        var reader = new SpendReader(_postgres);

        var (busyLast, busyTrailing) = await reader.ReadAsync(busy, now, 60, CancellationToken.None);
        var (quietLast, quietTrailing) = await reader.ReadAsync(quiet, now, 60, CancellationToken.None);

        Assert.False(rule.IsSpike(busyLast, busyTrailing)); // 5,000 against 3 × ~1,967
        Assert.True(rule.IsSpike(quietLast, quietTrailing));
    }

    private async Task WriteAsync(params (string Tenant, DateTimeOffset At, long Tokens)[] events)
    {
        var batch = events.Select((e, i) => EventSinkTests.Event(e.Tenant, i) with
        {
            EventId = Guid.CreateVersion7(e.At),
            OccurredAt = e.At,
            TotalTokens = e.Tokens,
        }).ToList();
        Assert.Equal(batch.Count, await new PostgresEventWriter(_postgres).WriteAsync(batch, CancellationToken.None));
    }
}
