using System.ClientModel;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Responses;

namespace Gateway.Tests.Functional;

/// <summary>
/// What users run: the official OpenAI .NET SDK with the gateway as base URL, against the built-in simulated
/// provider. Each call ends as one event in Postgres whose numbers equal the usage the SDK itself received.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SdkEndToEndTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    private OpenAIClient Sdk(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(Gateway.BaseUrl + "/v1") });

    [Fact]
    public async Task ChatCompletion_NonStreamed_EventEqualsReportedUsage()
    {
        var (tenant, key, keyId) = await Gateway.NewTenantAsync();
        var chat = Sdk(key).GetChatClient("sim-reasoner");

        var completion = (await chat.CompleteChatAsync(
            [new SystemChatMessage("You are terse."), new UserChatMessage("Say hello to the gateway.")],
            new ChatCompletionOptions { MaxOutputTokenCount = 20, EndUserId = "end-user-7" })).Value;

        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal(completion.Usage.InputTokenCount, e.GetProperty("input_tokens").GetInt64());
        Assert.Equal(completion.Usage.OutputTokenCount, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal(20, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal(10, e.GetProperty("reasoning_tokens").GetInt64());
        Assert.Equal(completion.Usage.TotalTokenCount, e.GetProperty("total_tokens").GetInt64());
        Assert.Equal("provider", e.GetProperty("usage_source").GetString());
        Assert.Equal("completed", e.GetProperty("status").GetString());
        Assert.Equal(keyId, e.GetProperty("key_id").GetString());
        Assert.Equal("simulated", e.GetProperty("provider").GetString());
        Assert.Equal("/v1/chat/completions", e.GetProperty("endpoint").GetString());
        Assert.Equal("sim-reasoner", e.GetProperty("model").GetString());
        Assert.Equal("end-user-7", e.GetProperty("end_user").GetString());
        Assert.False(e.GetProperty("streamed").GetBoolean());
        Assert.True(e.GetProperty("billable").GetBoolean());
        Assert.Equal(200, e.GetProperty("http_status").GetInt32());
    }

    [Fact]
    public async Task ChatCompletion_Streamed_EventEqualsUsageChunk()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        var chat = Sdk(key).GetChatClient("sim-1");

        var text = new System.Text.StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream me twelve words.")], new ChatCompletionOptions { MaxOutputTokenCount = 12 }))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            usage = update.Usage ?? usage;
        }

        Assert.NotNull(usage);
        Assert.Equal(12, text.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.True(e.GetProperty("streamed").GetBoolean());
        Assert.Equal(usage.InputTokenCount, e.GetProperty("input_tokens").GetInt64());
        Assert.Equal(12, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal("provider", e.GetProperty("usage_source").GetString());
        Assert.Equal("completed", e.GetProperty("status").GetString());
        Assert.True(e.GetProperty("ttft_ms").GetInt32() <= e.GetProperty("latency_ms").GetInt32());
    }

    [Fact]
    public async Task Embedding_Base64FromSdk_EventHasPromptTokens()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        var embeddings = Sdk(key).GetEmbeddingClient("sim-embed");

        var result = await embeddings.GenerateEmbeddingsAsync(["metering is counting", "billing is pricing"]);

        Assert.Equal(2, result.Value.Count);
        Assert.Equal(8, result.Value[0].ToFloats().Length);
        var e = Assert.Single(await Gateway.EventsAsync(tenant, 1));
        Assert.Equal(result.Value.Usage.InputTokenCount, e.GetProperty("input_tokens").GetInt64());
        Assert.True(e.GetProperty("input_tokens").GetInt64() > 0);
        Assert.Equal(0, e.GetProperty("output_tokens").GetInt64());
        Assert.Equal("/v1/embeddings", e.GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task Responses_NonStreamedAndStreamed_EventsEqualReportedUsage()
    {
        var (tenant, key, _) = await Gateway.NewTenantAsync();
        var responses = Sdk(key).GetResponsesClient();

        var answer = (await responses.CreateResponseAsync("sim-1", "Define metering.", null)).Value;
        ResponseTokenUsage? streamedUsage = null;
        var streamedText = new System.Text.StringBuilder();
        await foreach (var update in await responses.CreateResponseStreamingAsync("sim-mini", "Define billing in a stream.", null))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta)
            {
                streamedText.Append(delta.Delta);
            }

            if (update is StreamingResponseCompletedUpdate completed)
            {
                streamedUsage = completed.Response.Usage;
            }
        }

        Assert.Equal(16, answer.Usage.OutputTokenCount);
        Assert.NotNull(streamedUsage);
        Assert.False(string.IsNullOrEmpty(streamedText.ToString()));
        var events = await Gateway.EventsAsync(tenant, 2);
        var plain = events.Single(e => !e.GetProperty("streamed").GetBoolean());
        var streamed = events.Single(e => e.GetProperty("streamed").GetBoolean());
        Assert.Equal(answer.Usage.InputTokenCount, plain.GetProperty("input_tokens").GetInt64());
        Assert.Equal(answer.Usage.OutputTokenCount, plain.GetProperty("output_tokens").GetInt64());
        Assert.Equal(streamedUsage.InputTokenCount, streamed.GetProperty("input_tokens").GetInt64());
        Assert.Equal(streamedUsage.OutputTokenCount, streamed.GetProperty("output_tokens").GetInt64());
        Assert.All(events, e => Assert.Equal("/v1/responses", e.GetProperty("endpoint").GetString()));
        Assert.All(events, e => Assert.Equal("provider", e.GetProperty("usage_source").GetString()));
    }

    [Fact]
    public async Task ChatCompletion_UnknownKey_SdkSees401AndNothingIsMetered()
    {
        var chat = Sdk("sk-gw-not-a-real-key").GetChatClient("sim-1");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content);
        Assert.Equal("invalid_api_key", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
