using Gateway.Metering.Events;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Metering.Sink;

/// <summary>
/// Drains the in-process event queue into Postgres off the request path (the fallback for events that could not
/// go to the Redis stream, see <see cref="StreamFlusherService"/>): a batch is written when it is full or when its first
/// event has waited <see cref="SinkOptions.FlushInterval"/>. A failed write is retried with backoff, holding the batch
/// (the queue fills behind it and the request path then waits: nothing is dropped).
/// Shutdown: the web server stops after hosted services' <c>StopAsync</c>, so the queue is closed and drained only in
/// <see cref="StoppedAsync"/>, once no request can add to it, for at most <see cref="SinkOptions.ShutdownTimeout"/>.
/// </summary>
internal sealed class EventFlusherService(
    ChannelEventSink sink,
    PostgresEventWriter writer,
    IOptions<SinkOptions> options,
    TimeProvider time,
    SettleTracker settles,
    ILogger<EventFlusherService> logger,
    Telemetry.MeteringMetrics? metrics = null) : IHostedLifecycleService, IDisposable
{
    private readonly SinkOptions _options = options.Value;
    private readonly CancellationTokenSource _abort = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await settles.WhenIdleAsync(_options.ShutdownTimeout, time); // a failed settle still queues its event here
        sink.Close();
        var finished = await Task.WhenAny(_loop, Task.Delay(_options.ShutdownTimeout, time, CancellationToken.None));
        if (finished != _loop)
        {
            logger.DrainTimedOut(sink.Count);
            await _abort.CancelAsync();
        }

        try
        {
            await _loop;
            logger.Drained();
        }
        catch (OperationCanceledException)
        {
            // Timed out: already logged with the count left.
        }
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var batch = new List<MeteringEvent>(_options.BatchSize);
        var reader = sink.Reader;
        while (await reader.WaitToReadAsync(abort))
        {
            await FillAsync(batch, abort);
            await WriteWithRetryAsync(batch, abort);
        }
    }

    private async Task FillAsync(List<MeteringEvent> batch, CancellationToken abort)
    {
        var reader = sink.Reader;
        while (batch.Count < _options.BatchSize && reader.TryRead(out var e))
        {
            batch.Add(e);
        }

        if (batch.Count >= _options.BatchSize)
        {
            return;
        }

        using var window = new CancellationTokenSource(_options.FlushInterval, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(window.Token, abort);
        try
        {
            while (batch.Count < _options.BatchSize && await reader.WaitToReadAsync(linked.Token))
            {
                while (batch.Count < _options.BatchSize && reader.TryRead(out var e))
                {
                    batch.Add(e);
                }
            }
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            // The window closed: write what we have.
        }
    }

    private async Task WriteWithRetryAsync(List<MeteringEvent> batch, CancellationToken abort)
    {
        await BatchRetry.WriteAsync(writer, batch, _options, time, logger, abort, metrics);
        batch.Clear();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _abort.Dispose();
}
