using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Memory;

/// <summary>The JIT build as its own process (what run.sh runs) returns memory at start and when idle.</summary>
public sealed class MemoryTrimProcessTests
{
    [Fact]
    public Task GatewayProcess_ReturnsMemoryOnceStartedAndOnceIdleAfterTraffic() => MemoryTrimProcess.RunAsync(executable: null);
}
