using Gateway.Memory;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Memory;

/// <summary>When the gateway returns memory: once the server listens, and once each time proxied traffic stops for
/// <c>Memory:TrimWhenIdleFor</c>; never while requests keep arriving. The collection itself is counted, not run.</summary>
public sealed class MemoryTrimmerTests
{
    private static readonly TimeSpan IdleFor = TimeSpan.FromSeconds(4); // looked at every second

    private readonly FakeTimeProvider _time = new();
    private readonly ProxyTraffic _traffic = new();
    private int _collections;

    [Fact]
    public async Task Started_TrimOnStart_CollectsOnce()
    {
        using var trimmer = Trimmer(trimOnStart: true, IdleFor);
        await trimmer.StartedAsync(CancellationToken.None);

        Assert.Equal(1, _collections);
        Assert.Equal(1, trimmer.Trims);
        await trimmer.StoppingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Started_TrimOnStartOff_CollectsOnlyOnceIdle()
    {
        using var trimmer = Trimmer(trimOnStart: false, IdleFor);
        await trimmer.StartedAsync(CancellationToken.None);
        Assert.Equal(0, _collections);

        await LookAsync(trimmer, 3); // 3 s without traffic: not yet
        Assert.Equal(0, _collections);
        await LookAsync(trimmer, 1); // 4 s
        Assert.Equal(1, _collections);
        await LookAsync(trimmer, 8); // still idle: nothing new to return
        Assert.Equal(1, _collections);
        await trimmer.StoppingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Idle_AfterTraffic_CollectsOnceEachQuietSpell_NeverWhileRequestsArrive()
    {
        using var trimmer = Trimmer(trimOnStart: true, IdleFor);
        await trimmer.StartedAsync(CancellationToken.None);
        await LookAsync(trimmer, 8); // idle since the start's collection: nothing arrived to be returned
        Assert.Equal(1, _collections);

        for (var second = 0; second < 12; second++)
        {
            _traffic.Arrived();
            await LookAsync(trimmer, 1);
        }

        Assert.Equal(1, _collections);
        await LookAsync(trimmer, 3); // quiet for 3 s after the last look that saw a request
        Assert.Equal(1, _collections);
        await LookAsync(trimmer, 1);
        Assert.Equal(2, _collections);

        _traffic.Arrived(); // one request, then quiet again
        await LookAsync(trimmer, 5);
        Assert.Equal(3, _collections);
        Assert.Equal(3, trimmer.Trims);
        await trimmer.StoppingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task IdleTrimOff_NeverLooks()
    {
        using var trimmer = Trimmer(trimOnStart: false, TimeSpan.Zero);
        await trimmer.StartedAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        await Task.Delay(50);
        Assert.Equal(0, trimmer.Looks);
        Assert.Equal(0, _collections);
        await trimmer.StoppingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_EndsTheWatch()
    {
        using var trimmer = Trimmer(trimOnStart: false, IdleFor);
        await trimmer.StartedAsync(CancellationToken.None);
        await LookAsync(trimmer, 1);

        await trimmer.StoppingAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        var looks = trimmer.Looks;
        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(50);
        Assert.Equal(looks, trimmer.Looks);
    }

    private MemoryTrimmer Trimmer(bool trimOnStart, TimeSpan idleFor)
        => new(Options.Create(new MemoryOptions { TrimOnStart = trimOnStart, TrimWhenIdleFor = idleFor }), _traffic, _time,
            NullLogger<MemoryTrimmer>.Instance, () => Interlocked.Increment(ref _collections));

    /// <summary>Moves time on a second at a time, each time waiting until the watch has looked.</summary>
    private async Task LookAsync(MemoryTrimmer trimmer, int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            var looks = trimmer.Looks;
            _time.Advance(IdleFor / 4);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (trimmer.Looks == looks)
            {
                Assert.True(DateTime.UtcNow < deadline, "the idle watch did not look within 5 s");
                await Task.Delay(1);
            }
        }
    }
}
