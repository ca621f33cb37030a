using Microsoft.Extensions.Options;

namespace Gateway.Memory;

/// <summary>
/// Returns memory the gateway no longer uses (<see cref="MemoryOptions"/>): one blocking, compacting collection in
/// the runtime's aggressive mode, which also gives the free pages back, once the server listens and once each time
/// proxied traffic stops for <see cref="MemoryOptions.TrimWhenIdleFor"/>. Without it the runtime keeps the pages the
/// start-up or the last burst took (tens of MB) for as long as the process lives.
/// </summary>
internal sealed partial class MemoryTrimmer : IHostedLifecycleService, IDisposable
{
    private readonly MemoryOptions _options;
    private readonly ProxyTraffic _traffic;
    private readonly TimeProvider _time;
    private readonly ILogger<MemoryTrimmer> _logger;
    private readonly Action _collect;
    private readonly CancellationTokenSource _stopping = new();
    private Task _watch = Task.CompletedTask;
    private int _trims;
    private long _looks;

    public MemoryTrimmer(IOptions<MemoryOptions> options, ProxyTraffic traffic, TimeProvider time, ILogger<MemoryTrimmer> logger)
        : this(options, traffic, time, logger, Collect)
    {
    }

    internal MemoryTrimmer(IOptions<MemoryOptions> options, ProxyTraffic traffic, TimeProvider time, ILogger<MemoryTrimmer> logger, Action collect)
    {
        _options = options.Value;
        _traffic = traffic;
        _time = time;
        _logger = logger;
        _collect = collect;
    }

    public static void Register(IServiceCollection services)
    {
        services.AddOptions<MemoryOptions>().BindConfiguration(MemoryOptions.Section)
            .Validate(o => o.TrimWhenIdleFor == TimeSpan.Zero || (o.TrimWhenIdleFor >= TimeSpan.FromSeconds(1) && o.TrimWhenIdleFor <= TimeSpan.FromDays(1)),
                "Memory:TrimWhenIdleFor must be 00:00:00 (never) or from 00:00:01 to 1.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<ProxyTraffic>();
        services.AddHostedService<MemoryTrimmer>();
    }

    /// <summary>Collections made so far.</summary>
    internal int Trims => Volatile.Read(ref _trims);

    /// <summary>Times the idle watch has looked at the traffic so far.</summary>
    internal long Looks => Interlocked.Read(ref _looks);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (_options.TrimOnStart)
        {
            Trim("started");
        }

        if (_options.TrimWhenIdleFor > TimeSpan.Zero)
        {
            _watch = WatchAsync(_options.TrimWhenIdleFor, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    /// <summary>Looks four times per idle span: a quiet spell is noticed at most a quarter of it late.</summary>
    private async Task WatchAsync(TimeSpan idleFor, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(idleFor / 4, _time);
        var seen = _traffic.Requests;
        var quietSince = _time.GetTimestamp();
        var trimmed = _options.TrimOnStart; // nothing arrived since the start's collection
        while (await timer.WaitForNextTickAsync(stopping))
        {
            var requests = _traffic.Requests;
            if (requests != seen)
            {
                seen = requests;
                quietSince = _time.GetTimestamp();
                trimmed = false;
            }
            else if (!trimmed && _time.GetElapsedTime(quietSince) >= idleFor)
            {
                Trim("idle");
                trimmed = true;
            }

            Interlocked.Increment(ref _looks);
        }
    }

    private void Trim(string moment)
    {
        var before = Environment.WorkingSet;
        var started = _time.GetTimestamp();
        _collect();
        Interlocked.Increment(ref _trims);
        Trimmed(_logger, moment, before >> 20, Environment.WorkingSet >> 20, _time.GetElapsedTime(started).TotalMilliseconds);
    }

    private static void Collect() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    [LoggerMessage(130, LogLevel.Information, "Memory returned ({Moment}): resident {BeforeMb} MB before, {AfterMb} MB after, {Milliseconds:F1} ms")]
    private static partial void Trimmed(ILogger logger, string moment, long beforeMb, long afterMb, double milliseconds);
}
