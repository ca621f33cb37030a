namespace Gateway.Metering.Quotas;

/// <summary>The fixed windows a request is counted in, from the injected clock (UTC).</summary>
internal readonly record struct QuotaWindow(long Minute, string Day, string Month, TimeSpan MinuteLeft, TimeSpan DayLeft, TimeSpan MonthLeft)
{
    /// <summary>The day's key names, made once a day rather than twice a request.</summary>
    private static DayNames? s_day;

    public static QuotaWindow At(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var minute = now.ToUnixTimeMilliseconds() / 60_000;
        var nextMinute = DateTimeOffset.FromUnixTimeMilliseconds((minute + 1) * 60_000);
        var nextDay = utc.Date.AddDays(1);
        var nextMonth = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
        var day = Volatile.Read(ref s_day);
        if (day is null || day.Date != utc.Date)
        {
            day = new DayNames(
                utc.Date,
                utc.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture),
                utc.ToString("yyyyMM", System.Globalization.CultureInfo.InvariantCulture));
            Volatile.Write(ref s_day, day);
        }

        return new QuotaWindow(minute, day.Day, day.Month, nextMinute - now, nextDay - utc, nextMonth - utc);
    }

    private sealed record DayNames(DateTime Date, string Day, string Month);

    /// <summary>Time until window 1..4 (requests/min, tokens/min, tokens/day, tokens/month) opens again.</summary>
    public TimeSpan Left(int window) => window switch
    {
        1 or 2 => MinuteLeft,
        3 => DayLeft,
        _ => MonthLeft,
    };
}
