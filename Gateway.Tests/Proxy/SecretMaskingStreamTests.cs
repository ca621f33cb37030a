using System.Text;
using Gateway.Proxy;

namespace Gateway.Tests.Proxy;

public sealed class SecretMaskingStreamTests
{
    private const string Key = "sk-provider-0123456789";

    [Fact]
    public async Task Read_KeyAnywhereAtAnySplit_MaskedSameLength()
    {
        var text = Key + " said the server; the key " + Key + " again, then " + Key;
        var expected = text.Replace(Key, new string('*', Key.Length), StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var piece = 1; piece <= bytes.Length; piece++)
        {
            foreach (var readSize in (int[])[1, 3, 64])
            {
                await using var masked = new SecretMaskingStream(new PieceStream(bytes, piece), Encoding.UTF8.GetBytes(Key));

                Assert.Equal(expected, await ReadAllAsync(masked, readSize));
            }
        }
    }

    [Fact]
    public async Task Read_NoKeyOrAPartOfIt_BytesUnchanged()
    {
        var text = "sk-provider-01234 is not the key; sk-provider-012345678";
        await using var masked = new SecretMaskingStream(new PieceStream(Encoding.UTF8.GetBytes(text), 5), Encoding.UTF8.GetBytes(Key));

        Assert.Equal(text, await ReadAllAsync(masked, 7));
    }

    private static async Task<string> ReadAllAsync(Stream stream, int readSize)
    {
        var result = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            result.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(result.ToArray());
    }

    /// <summary>Hands out its bytes at most <c>piece</c> at a time, like a network stream.</summary>
    private sealed class PieceStream(byte[] bytes, int piece) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);
    }
}
