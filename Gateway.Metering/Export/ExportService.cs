using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gateway.Metering.Export;

/// <summary>
/// Sends stored events to the billing system named by <c>Export:Target</c> (off by default), oldest write first,
/// at least once: a batch is read after the cursor, sent, and only then is the cursor moved past it (with any events
/// the target refused for good, recorded in the same transaction). A failed send is retried with backoff, forever,
/// never skipping; a crash before the cursor moves sends the batch again, which the target ignores by event_id.
/// </summary>
internal sealed class ExportService : BackgroundService
{
    private readonly ExportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ExportService> _logger;
    private readonly HttpClient _http;
    private readonly IExportSender _sender;
    private readonly ExportBatchReader _batches;
    private readonly ExportCursorWriter _cursors;
    private readonly ExportLease _lease;

    public ExportService(NpgsqlDataSource dataSource, ExportOptions options, TimeProvider time, ILogger<ExportService> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = options.Target == ExportTarget.None ? null : options.BaseUri(), // off: Endpoint is not even read
            Timeout = options.Timeout,
        };
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new("Bearer", options.ApiKey);
        }

        _sender = options.Target switch
        {
            ExportTarget.Stripe => new StripeSender(_http, options),
            ExportTarget.Lago => new LagoSender(_http, options),
            _ => new OpenMeterSender(_http, options),
        };
        _batches = new ExportBatchReader(dataSource, options);
        _cursors = new ExportCursorWriter(dataSource, time);
        _lease = new ExportLease(dataSource, options.CursorName);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Target == ExportTarget.None)
        {
            return;
        }

        var endpoint = _options.BaseUri();
        _logger.Started(_options.Target, $"{endpoint.Scheme}://{endpoint.Host}:{endpoint.Port}", _options.CursorName);
        var delay = _options.RetryDelay;
        var attempt = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    var round = await RoundAsync(stoppingToken);
                    if (round.Failure is { } failure)
                    {
                        // A longer Retry-After (429, 503) wins over our backoff, up to MaxRetryDelay.
                        wait = failure.RetryAfter is { } after && after > delay ? Min(after, _options.MaxRetryDelay) : delay;
                        _logger.SendFailed(round.Count, _options.Target, ++attempt, failure.Status, failure.Reason, wait);
                        delay = Min(delay * 2, _options.MaxRetryDelay);
                    }
                    else
                    {
                        wait = round.More ? TimeSpan.Zero : _options.Interval;
                        delay = _options.RetryDelay;
                        attempt = 0;
                    }
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
                {
                    _logger.RoundFailed(ex, delay);
                    wait = delay;
                    delay = Min(delay * 2, _options.MaxRetryDelay);
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the batch in flight, if any, is sent again by whoever exports next
        }
        finally
        {
            await _lease.DisposeAsync();
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>One batch. More: it was full, so more may be waiting. Failure: the target did not take it.</summary>
    private async Task<Round> RoundAsync(CancellationToken cancellationToken)
    {
        if (!await _lease.TryHoldAsync(cancellationToken))
        {
            _logger.LeaseHeldElsewhere(_options.CursorName);
            return default;
        }

        var cursor = await _cursors.LoadAsync(_options.CursorName, _options.StartAt, cancellationToken);
        if (await _batches.NextAsync(cursor, cancellationToken) is not { } batch)
        {
            return default;
        }

        var result = await _sender.SendAsync(batch.Events, cancellationToken);
        if (result.Failure is { } failure)
        {
            return new Round(false, batch.Events.Count, failure);
        }

        await _cursors.AdvanceAsync(_options.CursorName, batch.Last, batch.Events.Count, result.Rejected, cancellationToken);
        foreach (var r in result.Rejected)
        {
            _logger.Rejected(_options.Target, r.Event.EventId, r.Event.TenantId, r.Status, r.Reason);
        }

        _logger.Exported(batch.Events.Count, _options.Target, batch.Last.RecordedAt);
        return new Round(batch.Events.Count == _options.BatchSize, batch.Events.Count, null);
    }

    private readonly record struct Round(bool More, int Count, ExportResponse? Failure);
}
