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
