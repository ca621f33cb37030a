using Npgsql;
using StackExchange.Redis;

namespace Gateway.Health;

/// <summary><c>/healthz</c>: the process is up. <c>/readyz</c>: Redis and Postgres answer.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("""{"status":"ok"}""", "application/json"));
        endpoints.MapGet("/readyz", async (IConnectionMultiplexer redis, NpgsqlDataSource postgres, CancellationToken cancellationToken) =>
        {
            var redisOk = await Probe(async () => await redis.GetDatabase().PingAsync());
            var postgresOk = await Probe(async () =>
            {
                await using var command = postgres.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
            });
            var body = $$"""{"status":"{{(redisOk && postgresOk ? "ready" : "not_ready")}}","redis":{{(redisOk ? "true" : "false")}},"postgres":{{(postgresOk ? "true" : "false")}}}""";
            return Results.Text(body, "application/json", statusCode: redisOk && postgresOk ? 200 : 503);
        });
        return endpoints;
    }

    private static async Task<bool> Probe(Func<Task> probe)
    {
        try
        {
            await probe().WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception)
        {
            return false; // any failure means not ready; /readyz reports, it does not throw
        }
    }
}
