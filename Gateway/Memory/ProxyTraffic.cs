namespace Gateway.Memory;

/// <summary>Counts proxied requests as they arrive, so <see cref="MemoryTrimmer"/> can tell when the gateway is idle.</summary>
internal sealed class ProxyTraffic
{
    private long _requests;

    public long Requests => Volatile.Read(ref _requests);

    public void Arrived() => Interlocked.Increment(ref _requests);
}
