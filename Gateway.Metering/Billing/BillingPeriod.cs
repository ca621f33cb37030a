using System.Globalization;

namespace Gateway.Metering.Billing;

/// <summary>A calendar month in UTC, named like <c>2026-11</c>: the billing period of invoices and tiers.</summary>
internal readonly record struct BillingPeriod(int Year, int Month)
{
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset End => Start.AddMonths(1);

    public string Name => Year.ToString("D4", CultureInfo.InvariantCulture) + "-" + Month.ToString("D2", CultureInfo.InvariantCulture);

    public static BillingPeriod Of(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new BillingPeriod(utc.Year, utc.Month);
    }

    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year is < 2000 or > 9998 || month is < 1 or > 12)
        {
            return false;
        }

        period = new BillingPeriod(year, month);
        return true;
    }

    public override string ToString() => Name;
}
