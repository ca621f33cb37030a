using System.Text;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Usage;

public sealed class ChatStreamCaptureTests
{
    // What an upstream sends when the gateway added include_usage...
    private const string WithUsage =
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n" +
        "data: {\"usage\":null, \"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11}}\n\n" +
        "data: [DONE]\n\n";

    // ...and what the client would have got without it.
    private const string WithoutUsage =
        "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n" +
        "data: { \"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n" +
        "data: [DONE]\n\n";

    [Fact]
    public void Observe_InjectedUsage_ClientSeesStreamWithoutItAtEverySplit()
    {
        var wire = Encoding.UTF8.GetBytes(WithUsage);
        for (var split = 0; split <= wire.Length; split++)
        {
            var (client, result) = Run(wire, split, strip: true);

            Assert.Equal(WithoutUsage, client);
            Assert.Equal(new TokenUsage(9, 2), result.Usage);
            Assert.True(result.Finished);
            Assert.Equal("Hello", result.DeliveredText.ToString());
        }
    }

    [Fact]
    public void Observe_ClientAskedForUsage_PassesEveryByte()
    {
        var (client, result) = Run(Encoding.UTF8.GetBytes(WithUsage), 40, strip: false);

        Assert.Equal(WithUsage, client);
        Assert.Equal(11, result.Usage!.Value.Total);
    }

    [Fact]
    public void Observe_RunningTotalsOnEveryChunk_LastOneWins()
    {
        const string wire =
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":1}}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":2}}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"completion_tokens\":12}}\n\n" +
            "data: [DONE]\n\n";

        var (_, result) = Run(Encoding.UTF8.GetBytes(wire), 10, strip: false);

        Assert.Equal(new TokenUsage(17, 12), result.Usage);
    }

    [Fact]
    public void Observe_AzureFirstChunkWithEmptyChoicesAndNoUsage_IsNotDropped()
    {
        const string wire =
            "data: {\"choices\":[],\"id\":\"\",\"prompt_filter_results\":[{\"prompt_index\":0}]}\n\n" +
            "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n" +
            "data: [DONE]\n\n";

        var (client, result) = Run(Encoding.UTF8.GetBytes(wire), 5, strip: true);

        Assert.StartsWith("data: {\"choices\":[],\"id\":\"\",\"prompt_filter_results\"", client);
        Assert.DoesNotContain("usage", client);
        Assert.Equal(new TokenUsage(3, 1), result.Usage);
    }

    [Fact]
    public void Observe_GroqUsageOnFinishChunk_IsUsedWhenNoTopLevelUsage()
    {
        const string wire =
            "data: {\"choices\":[{\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],\"x_groq\":{\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":4}}}\n\n" +
            "data: [DONE]\n\n";

        var (_, result) = Run(Encoding.UTF8.GetBytes(wire), 0, strip: true);

        Assert.Equal(new TokenUsage(8, 4), result.Usage);
    }

    [Fact]
    public void Observe_ErrorMidStream_FlagsErrorAndNoUsage()
    {
        const string wire =
            "data: {\"choices\":[{\"delta\":{\"content\":\"part\"}}],\"usage\":null}\n\n" +
            "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n";

        var (client, result) = Run(Encoding.UTF8.GetBytes(wire), 3, strip: false);

        Assert.Equal(wire, client);
        Assert.True(result.ErrorSeen);
        Assert.False(result.Finished);
        Assert.Null(result.Usage);
        Assert.Equal("part", result.DeliveredText.ToString());
    }

    private static (string Client, CaptureResult Result) Run(byte[] wire, int split, bool strip)
    {
        using var capture = new ChatStreamCapture(strip);
        var client = new List<byte>();
        client.AddRange(capture.Observe(wire.AsMemory(0, split)).ToArray());
        client.AddRange(capture.Observe(wire.AsMemory(split)).ToArray());
        client.AddRange(capture.Complete().ToArray());
        return (Encoding.UTF8.GetString(client.ToArray()), capture.Result);
    }
}
