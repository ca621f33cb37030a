using Dapper;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Integration;

public sealed class MigrationRunnerTests
{
    [Fact]
    public async Task Run_ConcurrentlyAndTwice_AppliesEachVersionOnce()
    {
        await using var postgres = NpgsqlDataSource.Create(TestServices.Postgres);
        var runner = new MigrationRunner(postgres, NullLogger<MigrationRunner>.Instance);

        await Task.WhenAll(runner.RunAsync(CancellationToken.None), runner.RunAsync(CancellationToken.None));
        await runner.RunAsync(CancellationToken.None);

        await using var connection = await postgres.OpenConnectionAsync();
        var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
        Assert.Equal(MigrationRunner.Load().Select(m => m.Version), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }
}

public sealed class EventPartitionTests
{
    [Fact]
    public async Task Events_LandInTheirMonthsPartition_AndAnOldMonthCanBeAddedLater()
    {
        await using var postgres = NpgsqlDataSource.Create(TestServices.Postgres);
        await new MigrationRunner(postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
        var tenant = TestServices.NewTenantId();
        var now = DateTimeOffset.UtcNow;
        var old = new DateTimeOffset(2019, 3, 15, 12, 0, 0, TimeSpan.Zero); // no partition for it yet: the default one
        await using (var setup = await postgres.OpenConnectionAsync())
        {
            await setup.ExecuteAsync("DROP TABLE IF EXISTS metering_events_2019_03"); // this test's month, from an earlier run
        }

        var writer = new PostgresEventWriter(postgres);
        var oldEvent = EventSinkTests.Event(tenant, 2) with { OccurredAt = old };
        await writer.WriteAsync([EventSinkTests.Event(tenant, 1) with { OccurredAt = now }, oldEvent], CancellationToken.None);

        await using var connection = await postgres.OpenConnectionAsync();
        var current = await connection.QuerySingleAsync<string>(
            "SELECT tableoid::regclass::text FROM metering_events WHERE tenant_id = @tenant AND occurred_at = @now", new { tenant, now });
        var before = await connection.QuerySingleAsync<string>(
            "SELECT tableoid::regclass::text FROM metering_events WHERE tenant_id = @tenant AND occurred_at = @old", new { tenant, old });
        await connection.ExecuteAsync("SELECT ensure_events_partition(@old)", new { old });
        var after = await connection.QuerySingleAsync<string>(
            "SELECT tableoid::regclass::text FROM metering_events WHERE tenant_id = @tenant AND occurred_at = @old", new { tenant, old });
        var again = await writer.WriteAsync([oldEvent], CancellationToken.None);

        Assert.Equal($"metering_events_{now:yyyy_MM}", current);
        Assert.Equal("metering_events_default", before);
        Assert.Equal("metering_events_2019_03", after);
        Assert.Equal(0, again); // still deduplicated across the move
    }
}
