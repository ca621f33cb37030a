using Npgsql;
using StackExchange.Redis;

namespace Gateway.Errors;

/// <summary>
/// A store that is down is an expected failure, not a bug: Postgres or Redis errors escaping an endpoint (the admin
/// API during an outage, a broken pooled connection right after one) become 503 <c>store_unavailable</c> in the
/// OpenAI shape instead of a bare 500.
/// </summary>
internal sealed partial class StoreFailureMiddleware(RequestDelegate next, ILogger<StoreFailureMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context, Metering.Telemetry.MeteringMetrics metrics)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (ex is NpgsqlException or RedisException or TimeoutException && !context.Response.HasStarted)
        {
            StoreFailed(logger, context.Request.Path, ex);
            if (ex is NpgsqlException)
            {
                metrics.PostgresError();
            }
            else
            {
                metrics.RedisError();
            }

            context.Response.Clear();
            await OpenAiErrorWriter.WriteAsync(context, GatewayError.StoreUnavailable());
        }
    }

    [LoggerMessage(5000, LogLevel.Warning, "A store failed while serving {Path}")]
    private static partial void StoreFailed(ILogger logger, PathString path, Exception exception);
}
