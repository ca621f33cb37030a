using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Gateway.Metering.Wallets;

/// <summary>
/// One Lua script and its SHA-1, run by EVALSHA with the hash itself. (StackExchange.Redis's overload that takes the
/// text looks the hash up in a table keyed by the whole text: 2–3 KB hashed on every request, under the connection's
/// write lock.) A NOSCRIPT reply (Redis restarted, failed over, or its scripts were flushed) means the script did not
/// run, so it is sent once more by its text, which also loads it again.
/// </summary>
internal sealed class WalletScript(string text)
{
    public string Text { get; } = text;

    public byte[] Hash { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));

    public async Task<RedisResult> RunAsync(IDatabase db, RedisKey[] keys, RedisValue[]? values = null)
    {
        try
        {
            return await db.ScriptEvaluateAsync(Hash, keys, values);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(Text, keys, values);
        }
    }
}
