using Gateway.Metering.Rating;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Integration;

public sealed class PriceCatalogTests
{
    [Fact]
    public async Task Put_ManyAtOnceForOneModel_EachGetsItsOwnVersion()
    {
        await using var postgres = NpgsqlDataSource.Create(TestServices.Postgres);
        await new MigrationRunner(postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
        var catalog = new PriceCatalog(postgres, TimeProvider.System);
        var model = "race-" + Guid.NewGuid().ToString("N")[..8];

        var prices = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => catalog.PutAsync(model, i, i, null, null, null, CancellationToken.None)));

        Assert.Equal(Enumerable.Range(1, 20), prices.Select(p => p.Version).Order());
        Assert.Equal(20, (await catalog.CurrentAsync(CancellationToken.None)).Single(p => p.Model == model).Version);
    }
}
