namespace Gateway.Memory;

/// <summary>
/// <c>Memory:*</c>: when the gateway hands the memory it no longer uses back to the operating system. The runtime
/// keeps what a burst of work took, ready for the next one; these collect once, compacting, at two moments when
/// nothing is waiting on the gateway.
/// </summary>
internal sealed class MemoryOptions
{
    public const string Section = "Memory";

    /// <summary>Once the server listens, collect the start-up's garbage (configuration, migrations, the key and price
    /// syncs) and return its pages (default true).</summary>
    public bool TrimOnStart { get; set; } = true;

    /// <summary>After this long without a new proxied request, collect once and return the free pages (default
    /// 00:02:00; 00:00:00 never). Health checks, <c>/metrics</c> and admin calls are not traffic. A request still
    /// streaming then pauses for the collection (milliseconds). Two minutes, not one: the upstream connection pool
    /// closes connections idle for a minute (<see cref="Proxy.UpstreamClient"/>), and memory they hold is only
    /// returned by a collection after that.</summary>
    public TimeSpan TrimWhenIdleFor { get; set; } = TimeSpan.FromMinutes(2);
}
