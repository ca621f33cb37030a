namespace Gateway.Metering.Wallets;

/// <summary>A wallet as Redis holds it now.</summary>
internal readonly record struct LiveWallet(long BalanceMicros, long HeldMicros, long ExpiredHolds)
{
    public long AvailableMicros => BalanceMicros - HeldMicros;
}
