using Gateway.Metering.Events;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Events;

public sealed class EventIdsTests
{
    [Fact]
    public void Next_ManyInOneMillisecond_SortInMintOrder()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var ids = new EventIds(time);

        var minted = Enumerable.Range(0, 10_000).Select(_ => ids.Next()).ToList();

        Assert.Equal(minted, minted.OrderBy(g => g.ToString()).ToList());
        Assert.Equal(minted.Count, minted.Distinct().Count());
    }

    [Fact]
    public void Next_IsVersion7WithTheClockTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-27T10:00:00Z"));
        var id = new EventIds(time).Next().ToString();

        Assert.Equal('7', id[14]);
        Assert.Contains(id[19], "89ab");
        var ms = Convert.ToInt64(id[..8] + id[9..13], 16);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), ms);
    }
}
