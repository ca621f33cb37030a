using System.ClientModel;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace Gateway.Tests.Functional;

/// <summary><c>Proxy:InlineIoScheduling</c>: Kestrel runs request code on its socket threads, and metering is unchanged.
/// In the shared gateway's collection: its own host starts while no other test of the collection runs.</summary>
[Collection(GatewayCollection.Name)]
public sealed class InlineIoSchedulingTests(GatewayFixture fixture)
{
    [Fact]
    public async Task InlineIoScheduling_On_KestrelInlinesAndSdkCallsAreMeteredExactly()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Proxy:InlineIoScheduling"] = "true" });
        Assert.True(gateway.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        var (tenant, key, _) = await gateway.NewTenantAsync();
        var chat = new OpenAIClient(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseUrl + "/v1") })
            .GetChatClient("sim-1");

        var plain = (await chat.CompleteChatAsync([new UserChatMessage("Say hello inline.")], new ChatCompletionOptions { MaxOutputTokenCount = 7 })).Value;
        ChatTokenUsage? streamedUsage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream inline.")], new ChatCompletionOptions { MaxOutputTokenCount = 9 }))
        {
            streamedUsage = update.Usage ?? streamedUsage;
        }

        var events = await gateway.EventsAsync(tenant, 2);
        var single = Assert.Single(events, e => !e.GetProperty("streamed").GetBoolean());
        var streamed = Assert.Single(events, e => e.GetProperty("streamed").GetBoolean());
        Assert.Equal(plain.Usage.InputTokenCount, single.GetProperty("input_tokens").GetInt64());
        Assert.Equal(7, single.GetProperty("output_tokens").GetInt64());
        Assert.NotNull(streamedUsage);
        Assert.Equal(streamedUsage.InputTokenCount, streamed.GetProperty("input_tokens").GetInt64());
        Assert.Equal(9, streamed.GetProperty("output_tokens").GetInt64());
        Assert.All(events, e => Assert.Equal("provider", e.GetProperty("usage_source").GetString()));
    }

    [Fact]
    public void InlineIoScheduling_Default_Off()
    {
        Assert.False(fixture.Simulated.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }
}
