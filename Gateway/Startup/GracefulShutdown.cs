using Gateway.Metering.Sink;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Options;

namespace Gateway.Startup;

/// <summary>
/// The order of a graceful stop: Kestrel stops accepting and lets requests in flight finish for
/// <see cref="ShutdownOptions.Timeout"/> (the host's shutdown timeout), then cuts the rest, which settle like a
/// client that left; the flushers then wait for every settle and drain the events to Postgres under
/// <c>Sink:ShutdownTimeout</c> (<see cref="EventFlusherService"/>, <see cref="StreamFlusherService"/>). This logs
/// each step, so an operator sees what a stop waited for.
/// </summary>
internal sealed partial class GracefulShutdown(IOptions<ShutdownOptions> options, SettleTracker settles, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Stopping(logger, options.Value.Timeout);
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Stopped(logger, settles.Running);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static void Register(WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.Section)
            .Validate(o => o.Timeout >= TimeSpan.Zero && o.Timeout <= TimeSpan.FromHours(1), "Shutdown:Timeout must be from 00:00:00 to 01:00:00.")
            .ValidateOnStart();
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Timeout);
        builder.Services.AddHostedService<GracefulShutdown>();
    }

    [LoggerMessage(120, LogLevel.Information, "Stopping: no new connections; requests in flight have {Timeout} to finish, then settles and the event drain follow")]
    private static partial void Stopping(ILogger logger, TimeSpan timeout);

    [LoggerMessage(121, LogLevel.Information, "Requests finished; waiting for {Running} settles, then draining events to Postgres")]
    private static partial void Stopped(ILogger logger, int running);
}
