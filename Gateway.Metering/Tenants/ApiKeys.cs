using System.Security.Cryptography;
using System.Text;

namespace Gateway.Metering.Tenants;

/// <summary>
/// Virtual keys: <c>sk-gw-</c> then 32 base62 characters (190 random bits). Only their SHA-256 is stored. The visible
/// prefix lets people tell keys apart without the secret.
/// </summary>
internal static class ApiKeys
{
    public const string Prefix = "sk-gw-";

    /// <summary>Longer presented keys are refused without hashing (they cannot be ours).</summary>
    public const int MaxPresentedLength = 128;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string NewKey() => Prefix + RandomNumberGenerator.GetString(Alphabet, 32);

    public static string NewKeyId() => "key_" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    /// <summary>What is shown of a key in listings: its prefix and first characters.</summary>
    public static string DisplayPrefix(string key) => key[..Math.Min(key.Length, Prefix.Length + 6)];

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Hex SHA-256 of a presented key, or null when it cannot be a key of ours (length, characters).</summary>
    public static string? HashPresented(ReadOnlySpan<char> presented)
    {
        if (presented.Length is 0 or > MaxPresentedLength)
        {
            return null;
        }

        foreach (var c in presented)
        {
            if (c is < '!' or > '~')
            {
                return null; // non-ASCII, control characters, spaces
            }
        }

        Span<byte> utf8 = stackalloc byte[MaxPresentedLength];
        var length = Encoding.ASCII.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        return Convert.ToHexStringLower(hash);
    }
}
