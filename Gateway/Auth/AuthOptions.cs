namespace Gateway.Auth;

/// <summary>Virtual-key lookups. Bound from <c>Auth</c>.</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>How long a key lookup is reused in process. Revocation is also pushed to every gateway at once; this
    /// bounds staleness if that message is missed. At most 1 s (issue #2: revoked keys refused within one second).</summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromMilliseconds(900);

    /// <summary>Most key lookups held in process; past it the cache starts over. Default 100,000.</summary>
    public int KeyCacheSize { get; set; } = 100_000;
}
