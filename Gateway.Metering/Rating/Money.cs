using System.Globalization;

namespace Gateway.Metering.Rating;

/// <summary>
/// USD at the edges, integer micro-units (1e-6 USD) inside: JSON amounts are decimals with at most 6 fractional
/// digits (issue #3), read as <see cref="decimal"/>, never binary floating point.
/// </summary>
internal static class Money
{
    public const long MicrosPerUnit = 1_000_000;

    /// <summary>Largest amount accepted from the admin API: 1e12 USD, far inside <see cref="long"/> micros.</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>Largest balance a credit may lead to: <see cref="MaxAmount"/> in micros, a ninth of <see cref="long"/>'s
    /// range, so the live wallet's 64-bit counters never overflow.</summary>
    public const long MaxBalanceMicros = 1_000_000_000_000 * MicrosPerUnit;

    public static bool TryToMicros(decimal amount, out long micros)
    {
        micros = 0;
        if (amount.Scale > 6 && decimal.Round(amount, 6) != amount)
        {
            return false; // more than 6 significant fractional digits
        }

        if (Math.Abs(amount) > MaxAmount)
        {
            return false;
        }

        micros = (long)(amount * MicrosPerUnit);
        return true;
    }

    public static decimal ToDecimal(long micros) => micros / (decimal)MicrosPerUnit;

    public static string Format(long micros) => ToDecimal(micros).ToString("0.######", CultureInfo.InvariantCulture);
}
