using System.Text;
using System.Text.Json;
using Gateway.Capture;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Gateway.Tests.Capture;

/// <summary>The response body stand-in the proxy gives YARP: every byte reaches the client, and a long answer's text
/// is counted as it passes instead of kept until the end.</summary>
public sealed class CaptureStreamTests
{
    private static readonly TokenEstimator Estimator = new(Options.Create(new TokenizerOptions()));

    [Fact]
    public async Task OpenStream_BetweenWholeEvents_HoldsNoBuffer()
    {
        var context = new DefaultHttpContext();
        context.Response.ContentType = "text/event-stream";
        var client = new MemoryStream();
        var capture = new CaptureStream(client, context.Response, ApiKind.ChatCompletions, stripInjectedUsage: true, TimeProvider.System, 0, estimator: Estimator, model: "gpt-4o");

        for (var i = 0; i < 100; i++)
        {
            await capture.WriteAsync(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" word{i}\"}}}}],\"usage\":null}}\n\n"));
            Assert.False(capture.HoldsBuffers, $"after event {i}"); // 5,000 open streams waiting for a token hold nothing of ours
        }

        await capture.WriteAsync("data: {\"choices\":[{\"index\":0,"u8.ToArray()); // half an event waits for its end
        Assert.True(capture.HoldsBuffers);
        await capture.WriteAsync("\"delta\":{\"content\":\"!\"}}]}\n\n"u8.ToArray());
        Assert.False(capture.HoldsBuffers);

        var text = Encoding.UTF8.GetString(client.ToArray());
        Assert.Contains("word99", text);
        Assert.DoesNotContain("\"usage\":null", text); // the injected usage fields were still taken out
        Assert.EndsWith("\"content\":\"!\"}}]}\n\n", text);
    }

    [Fact]
    public async Task LongStreamWithoutUsage_ClientGetsEveryByte_TextCountedAsItPasses()
    {
        var context = new DefaultHttpContext();
        context.Response.ContentType = "text/event-stream";
        var client = new MemoryStream();
        var capture = new CaptureStream(client, context.Response, ApiKind.ChatCompletions, stripInjectedUsage: false, TimeProvider.System, 0, estimator: Estimator, model: "gpt-4o");

        var wire = new MemoryStream();
        var answer = new StringBuilder();
        for (var i = 0; answer.Length < 200_000; i++)
        {
            var word = (i == 0 ? "" : " ") + (i % 7 == 0 ? "naïve" : "word" + (i % 13));
            answer.Append(word);
            var sse = Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{JsonSerializer.Serialize(word)}}}}}]}}\n\n");
            wire.Write(sse);
            await capture.WriteAsync(sse);
        }

        var result = await capture.CompleteAsync(clientGone: false); // cut: no usage, no [DONE]

        Assert.Equal(wire.ToArray(), client.ToArray());
        Assert.NotNull(result);
        Assert.Null(result.Usage);
        Assert.True(result.DeliveredText.CountedTokens > 0);
        Assert.InRange(result.DeliveredText.Capacity, 0, DeliveredText.CountEvery);
        Assert.Equal(Estimator.Count("gpt-4o", answer.ToString()), result.DeliveredText.EstimateTokens(Estimator, "gpt-4o"));
    }
}
