using Gateway.Metering.Wallets;
using Grant = Gateway.Metering.Wallets.CreditAllocator.Grant;
using Debit = Gateway.Metering.Wallets.CreditAllocator.Debit;

namespace Gateway.Tests.Wallets;

public sealed class CreditAllocatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Expired_ExpiringCreditUsedFirst_OnlyItsUnusedPartExpires()
    {
        Grant[] grants = [new(1, 100, T0, null, 1), new(2, 50, T0, T0.AddDays(10), 1)];
        Debit[] debits = [new(T0.AddDays(1), 30)];

        var expired = CreditAllocator.Expired(grants, debits, T0.AddDays(11));

        Assert.Equal(new Dictionary<long, long> { [2] = 20 }, expired);
    }

    [Fact]
    public void Expired_PriorityBeforeExpiry_LowerNumberFirst()
    {
        Grant[] grants = [new(1, 100, T0, T0.AddDays(20), 0), new(2, 50, T0, T0.AddDays(10), 1)];

        var expired = CreditAllocator.Expired(grants, [new(T0.AddDays(1), 120)], T0.AddDays(30));

        Assert.Equal(0, expired[1]);  // priority 0 drawn first, fully
        Assert.Equal(30, expired[2]); // then 20 of the second
    }

    [Fact]
    public void Expired_SpendAfterExpiry_DoesNotUseTheExpiredGrant_AndOverdraftIsRepaidByTheNextGrant()
    {
        Grant[] grants = [new(1, 40, T0, T0.AddDays(1), 1), new(2, 100, T0.AddDays(3), T0.AddDays(5), 1)];
        Debit[] debits = [new(T0.AddDays(1), 10), new(T0.AddDays(2), 25)]; // the first at the very instant of expiry

        var expired = CreditAllocator.Expired(grants, debits, T0.AddDays(6));

        Assert.Equal(40, expired[1]);       // nothing drawn before it expired
        Assert.Equal(100 - 35, expired[2]); // it paid back the 35 overdrawn first
    }

    [Fact]
    public void Expired_NotYetExpired_NotReported()
    {
        Assert.Empty(CreditAllocator.Expired([new Grant(1, 10, T0, T0.AddDays(2), 1)], [], T0.AddDays(1)));
    }
}
