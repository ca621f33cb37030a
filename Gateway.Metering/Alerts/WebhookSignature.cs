using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Metering.Alerts;

/// <summary>
/// The signature header, as Stripe's: <c>X-Gateway-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret,
/// "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>. Signing the time with the body lets a receiver refuse old replays; each attempt
/// is signed anew, with the secret the tenant has at that moment.
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-Gateway-Signature";

    public static string Create(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return string.Create(CultureInfo.InvariantCulture, $"t={unixSeconds},v1={Convert.ToHexStringLower(hmac.GetHashAndReset())}");
    }
}
