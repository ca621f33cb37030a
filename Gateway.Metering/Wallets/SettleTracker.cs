namespace Gateway.Metering.Wallets;

/// <summary>
/// Settles that run after their response was completed, so the next request on a keep-alive connection does not
/// wait for them. Graceful shutdown waits here before the flushers drain, so no settle is cut off.
/// </summary>
internal sealed class SettleTracker
{
    private readonly Lock _gate = new();
    private int _running;
    private TaskCompletionSource _idle = CompletedSource();

    public int Running => Volatile.Read(ref _running);

    public void Run(Func<Task> settle)
    {
        lock (_gate)
        {
            if (_running++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        _ = RunAsync(settle);
    }

    /// <summary>Completes when no settle is running, or after <paramref name="timeout"/>.</summary>
    public Task WhenIdleAsync(TimeSpan timeout, TimeProvider time)
    {
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        return Task.WhenAny(idle, Task.Delay(timeout, time));
    }

    private async Task RunAsync(Func<Task> settle)
    {
        try
        {
            await Task.Yield();
            await settle(); // never throws: the settle records its own failures
        }
        finally
        {
            lock (_gate)
            {
                if (--_running == 0)
                {
                    _idle.TrySetResult();
                }
            }
        }
    }

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
