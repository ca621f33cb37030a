namespace Gateway.Tests.Infrastructure;

/// <summary>The real Redis and Postgres the tests use: from the env vars scripts/services.sh exports, else the
/// loopback ports it starts them on.</summary>
internal static class TestServices
{
    /// <summary>Redis database 1: a gateway started by run.sh (database 0) never consumes the tests' event streams.</summary>
    public static string Redis => RedisDatabase(1);

    /// <summary>A Redis database of its own, for tests that must not share streams with any other gateway. Each
    /// number belongs to one test file (checked by <c>TestDatabasesTests</c>); free: 2 to 5.</summary>
    public static string RedisDatabase(int database)
        => (Environment.GetEnvironmentVariable("GATEWAY_REDIS") ?? "127.0.0.1:6380") + ",defaultDatabase=" + database;

    /// <summary>The three-node Redis Cluster scripts/test.sh starts (ports 7001-7003).</summary>
    public static string RedisCluster => Environment.GetEnvironmentVariable("GATEWAY_REDIS_CLUSTER") ?? "127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003";

    public static string Postgres => Environment.GetEnvironmentVariable("GATEWAY_POSTGRES_TEST")
        ?? "Host=127.0.0.1;Port=5433;Username=gateway;Password=gateway;Database=gateway_test";

    public const string AdminToken = "test-admin-token-0123456789abcdef";

    /// <summary>A tenant id no other test (or earlier run) uses.</summary>
    public static string NewTenantId(string prefix = "t") => prefix + "-" + Guid.NewGuid().ToString("N")[..16];
}
