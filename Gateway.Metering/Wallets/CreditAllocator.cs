namespace Gateway.Metering.Wallets;

/// <summary>
/// Which credit grant paid for what, to know how much of a grant is left when it expires. Replays the ledger in time
/// order: a grant joins when created (first paying back any overdraft); a debit draws from live grants by priority
/// (lower first), then soonest expiry (never-expiring last), then oldest; a grant's remainder expires at its
/// <c>expires_at</c>. At one instant: grants, then expiries, then debits.
/// </summary>
internal static class CreditAllocator
{
    public readonly record struct Grant(long Id, long AmountMicros, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, int Priority);

    public readonly record struct Debit(DateTimeOffset At, long AmountMicros);

    /// <summary>The remainder of each grant that has expired by <paramref name="now"/>, by grant id.</summary>
    public static Dictionary<long, long> Expired(IReadOnlyList<Grant> grants, IReadOnlyList<Debit> debits, DateTimeOffset now)
    {
        var steps = new List<(DateTimeOffset At, int Kind, int Index)>(grants.Count * 2 + debits.Count);
        for (var i = 0; i < grants.Count; i++)
        {
            steps.Add((grants[i].CreatedAt, 0, i));
            if (grants[i].ExpiresAt is { } expires && expires <= now)
            {
                steps.Add((expires, 1, i));
            }
        }

        for (var i = 0; i < debits.Count; i++)
        {
            steps.Add((debits[i].At, 2, i));
        }

        steps.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : a.Index.CompareTo(b.Index));
        var remaining = new long[grants.Count];
        var live = new SortedSet<int>(Comparer<int>.Create((a, b) => Order(grants[a], grants[b], a, b)));
        var expired = new Dictionary<long, long>();
        long overdraft = 0;
        foreach (var (_, kind, index) in steps)
        {
            switch (kind)
            {
                case 0:
                    var payback = Math.Min(overdraft, grants[index].AmountMicros);
                    overdraft -= payback;
                    remaining[index] = grants[index].AmountMicros - payback;
                    live.Add(index);
                    break;
                case 1:
                    live.Remove(index);
                    expired[grants[index].Id] = remaining[index];
                    remaining[index] = 0;
                    break;
                default:
                    var left = debits[index].AmountMicros;
                    while (left > 0 && live.Count > 0)
                    {
                        var first = live.Min;
                        var take = Math.Min(left, remaining[first]);
                        remaining[first] -= take;
                        left -= take;
                        if (remaining[first] == 0)
                        {
                            live.Remove(first);
                        }
                    }

                    overdraft += left;
                    break;
            }
        }

        return expired;
    }

    private static int Order(Grant a, Grant b, int ia, int ib)
    {
        if (a.Priority != b.Priority)
        {
            return a.Priority.CompareTo(b.Priority);
        }

        var ea = a.ExpiresAt ?? DateTimeOffset.MaxValue;
        var eb = b.ExpiresAt ?? DateTimeOffset.MaxValue;
        return ea != eb ? ea.CompareTo(eb) : ia.CompareTo(ib);
    }
}
