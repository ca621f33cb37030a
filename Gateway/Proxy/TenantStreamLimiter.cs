using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>
/// Counts each tenant's streamed requests in flight on this process and refuses one past
/// <see cref="ProxyOptions.MaxConcurrentStreamsPerTenant"/>: slow readers and runaway clients of one tenant cannot
/// hold every connection. Per process, not cluster-wide (that would add Redis round trips to every request).
/// </summary>
internal sealed class TenantStreamLimiter(IOptions<ProxyOptions> options)
{
    private readonly int _max = options.Value.MaxConcurrentStreamsPerTenant;
    private readonly ConcurrentDictionary<string, StrongBox<int>> _open = new(StringComparer.Ordinal);

    /// <summary>Takes a slot; false (nothing taken) when the tenant is at its cap. Release with <see cref="Release"/>.</summary>
    public bool TryAcquire(string tenantId)
    {
        if (_max == 0)
        {
            return true;
        }

        var count = _open.GetOrAdd(tenantId, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref count.Value) <= _max)
        {
            return true;
        }

        Interlocked.Decrement(ref count.Value);
        return false;
    }

    public void Release(string tenantId)
    {
        if (_max != 0 && _open.TryGetValue(tenantId, out var count))
        {
            Interlocked.Decrement(ref count.Value);
        }
    }

    /// <summary>Streams the tenant has open here now.</summary>
    public int Open(string tenantId) => _open.TryGetValue(tenantId, out var count) ? Volatile.Read(ref count.Value) : 0;
}
