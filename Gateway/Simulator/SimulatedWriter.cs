using System.Buffers;
using System.Text.Json;

namespace Gateway.Simulator;

/// <summary>Writes a <see cref="SimulatedAnswer"/> in each wire format, chunk by chunk with the configured pause.</summary>
internal sealed class SimulatedWriter(HttpContext context, SimulatedAnswer answer, TimeProvider time, TimeSpan delay, string fault)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly string _id = Guid.CreateVersion7(time.GetUtcNow()).ToString("N")[..24];
    private readonly long _created = time.GetUtcNow().ToUnixTimeSeconds();

    private HttpResponse Response => context.Response;

    private bool Cut => fault == "cut";

    private bool ErrorMidway => fault == "error";

    public async Task ChatAsync(bool legacy)
    {
        Response.ContentType = "application/json";
        var json = Start();
        json.WriteStartObject();
        Header(json, legacy ? "cmpl-" : "chatcmpl-", legacy ? "text_completion" : "chat.completion");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (legacy)
        {
            json.WriteString("text", answer.Text);
        }
        else
        {
            json.WriteStartObject("message");
            json.WriteString("role", "assistant");
            json.WriteString("content", answer.Text);
            json.WriteNull("refusal");
            json.WriteEndObject();
        }

        json.WriteNull("logprobs");
        json.WriteString("finish_reason", "stop");
        json.WriteEndObject();
        json.WriteEndArray();
        WriteChatUsage(json, "usage");
        json.WriteEndObject();
        await SendAsync(json, sse: false);
    }

    public async Task ChatStreamAsync(bool legacy, bool includeUsage)
    {
        Response.ContentType = "text/event-stream; charset=utf-8";
        Response.Headers.CacheControl = "no-cache";
        if (!legacy)
        {
            await ChunkAsync(legacy, includeUsage, role: true, content: string.Empty, finish: null);
        }

        for (var i = 0; i < answer.Words.Length; i++)
        {
            if ((Cut || ErrorMidway) && i == answer.Words.Length / 2)
            {
                await FailMidwayAsync();
                return;
            }

            await ChunkAsync(legacy, includeUsage, role: false, content: answer.Words[i], finish: null);
        }

        await ChunkAsync(legacy, includeUsage, role: false, content: legacy ? string.Empty : null, finish: "stop");
        if (includeUsage)
        {
            var json = Start();
            json.WriteStartObject();
            Header(json, legacy ? "cmpl-" : "chatcmpl-", legacy ? "text_completion" : "chat.completion.chunk");
            json.WriteStartArray("choices");
            json.WriteEndArray();
            WriteChatUsage(json, "usage");
            json.WriteEndObject();
            await SendAsync(json, sse: true);
        }

        await Response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray());
        await Response.Body.FlushAsync();
    }

    public async Task ResponseAsync()
    {
        Response.ContentType = "application/json";
        var json = Start();
        WriteResponseObject(json, completed: true);
        await SendAsync(json, sse: false);
    }

    public async Task ResponsesStreamAsync()
    {
        Response.ContentType = "text/event-stream; charset=utf-8";
        var sequence = 0;
        var itemId = "msg_" + _id;
        await EventAsync("response.created", json =>
        {
            json.WritePropertyName("response");
            WriteResponseObject(json, completed: false);
        });
        await EventAsync("response.in_progress", json =>
        {
            json.WritePropertyName("response");
            WriteResponseObject(json, completed: false);
        });
        await EventAsync("response.output_item.added", json =>
        {
            json.WriteNumber("output_index", 0);
            json.WriteStartObject("item");
            json.WriteString("id", itemId);
            json.WriteString("type", "message");
            json.WriteString("status", "in_progress");
            json.WriteString("role", "assistant");
            json.WriteStartArray("content");
            json.WriteEndArray();
            json.WriteEndObject();
        });
        await EventAsync("response.content_part.added", json =>
        {
            json.WriteString("item_id", itemId);
            json.WriteNumber("output_index", 0);
            json.WriteNumber("content_index", 0);
            WritePart(json, string.Empty);
        });
        for (var i = 0; i < answer.Words.Length; i++)
        {
            if ((Cut || ErrorMidway) && i == answer.Words.Length / 2)
            {
                if (ErrorMidway)
                {
                    await EventAsync("response.failed", json =>
                    {
                        json.WritePropertyName("response");
                        WriteResponseObject(json, completed: false, failed: true);
                    });
                    return;
                }

                await FailMidwayAsync();
                return;
            }

            var word = answer.Words[i];
            await EventAsync("response.output_text.delta", json =>
            {
                json.WriteString("item_id", itemId);
                json.WriteNumber("output_index", 0);
                json.WriteNumber("content_index", 0);
                json.WriteString("delta", word);
                json.WriteStartArray("logprobs");
                json.WriteEndArray();
            });
        }

        await EventAsync("response.output_text.done", json =>
        {
            json.WriteString("item_id", itemId);
            json.WriteNumber("output_index", 0);
            json.WriteNumber("content_index", 0);
            json.WriteString("text", answer.Text);
        });
        await EventAsync("response.content_part.done", json =>
        {
            json.WriteString("item_id", itemId);
            json.WriteNumber("output_index", 0);
            json.WriteNumber("content_index", 0);
            WritePart(json, answer.Text);
        });
        await EventAsync("response.output_item.done", json =>
        {
            json.WriteNumber("output_index", 0);
            json.WritePropertyName("item");
            WriteMessageItem(json, itemId);
        });
        await EventAsync("response.completed", json =>
        {
            json.WritePropertyName("response");
            WriteResponseObject(json, completed: true);
        });

        async Task EventAsync(string type, Action<Utf8JsonWriter> fields)
        {
            await Response.Body.WriteAsync(System.Text.Encoding.UTF8.GetBytes("event: " + type + "\n"));
            var json = Start();
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteNumber("sequence_number", sequence++);
            fields(json);
            json.WriteEndObject();
            await SendAsync(json, sse: true);
        }
    }

    public async Task EmbeddingsAsync(ReadOnlyMemory<byte> body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var inputs = root.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Array
            && input.GetArrayLength() > 0 && input[0].ValueKind != JsonValueKind.Number ? input.GetArrayLength() : 1;
        var base64 = root.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");
        var dimensions = root.TryGetProperty("dimensions", out var d) && d.TryGetInt32(out var n) && n is > 0 and <= 4096 ? n : 8;

        Response.ContentType = "application/json";
        var json = Start();
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < inputs; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            var vector = new float[dimensions];
            for (var k = 0; k < dimensions; k++)
            {
                vector[k] = (float)Math.Sin(i + k + 1) / dimensions;
            }

            if (base64)
            {
                json.WriteString("embedding", Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())));
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in vector)
                {
                    json.WriteNumberValue(value);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("model", answer.Model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", answer.PromptTokens);
        json.WriteNumber("total_tokens", answer.PromptTokens);
        json.WriteEndObject();
        json.WriteEndObject();
        await SendAsync(json, sse: false);
    }

    private async Task ChunkAsync(bool legacy, bool includeUsage, bool role, string? content, string? finish)
    {
        var json = Start();
        json.WriteStartObject();
        Header(json, legacy ? "cmpl-" : "chatcmpl-", legacy ? "text_completion" : "chat.completion.chunk");
        json.WriteStartArray("choices");
        json.WriteStartObject();
        json.WriteNumber("index", 0);
        if (legacy)
        {
            json.WriteString("text", content ?? string.Empty);
        }
        else
        {
            json.WriteStartObject("delta");
            if (role)
            {
                json.WriteString("role", "assistant");
            }

            if (content is not null)
            {
                json.WriteString("content", content);
            }

            json.WriteEndObject();
        }

        json.WriteNull("logprobs");
        if (finish is null)
        {
            json.WriteNull("finish_reason");
        }
        else
        {
            json.WriteString("finish_reason", finish);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        if (includeUsage)
        {
            json.WriteNull("usage"); // OpenAI: "All other chunks will also include a usage field, but with a null value."
        }

        json.WriteEndObject();
        await SendAsync(json, sse: true);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, context.RequestAborted);
        }
    }

    private async Task FailMidwayAsync()
    {
        if (ErrorMidway)
        {
            await Response.Body.WriteAsync("data: {\"error\":{\"message\":\"The server had an error while processing your request (simulated).\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"u8.ToArray());
            await Response.Body.FlushAsync();
            return;
        }

        await Response.Body.WriteAsync("data: {\"id\":\"chatcmpl-cut\",\"choi"u8.ToArray()); // a partial event, then the connection drops
        await Response.Body.FlushAsync();
        context.Abort();
    }

    private void Header(Utf8JsonWriter json, string idPrefix, string objectType)
    {
        json.WriteString("id", idPrefix + _id);
        json.WriteString("object", objectType);
        json.WriteNumber("created", _created);
        json.WriteString("model", answer.Model);
        json.WriteString("system_fingerprint", "fp_simulated");
    }

    private void WriteChatUsage(Utf8JsonWriter json, string name)
    {
        json.WriteStartObject(name);
        json.WriteNumber("prompt_tokens", answer.PromptTokens);
        json.WriteNumber("completion_tokens", answer.CompletionTokens);
        json.WriteNumber("total_tokens", answer.PromptTokens + answer.CompletionTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", answer.CachedTokens);
        json.WriteNumber("audio_tokens", 0);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details");
        json.WriteNumber("reasoning_tokens", answer.ReasoningTokens);
        json.WriteNumber("audio_tokens", 0);
        json.WriteNumber("accepted_prediction_tokens", 0);
        json.WriteNumber("rejected_prediction_tokens", 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private void WriteResponseObject(Utf8JsonWriter json, bool completed, bool failed = false)
    {
        json.WriteStartObject();
        json.WriteString("id", "resp_" + _id);
        json.WriteString("object", "response");
        json.WriteNumber("created_at", _created);
        json.WriteString("status", failed ? "failed" : completed ? "completed" : "in_progress");
        if (failed)
        {
            json.WriteStartObject("error");
            json.WriteString("code", "server_error");
            json.WriteString("message", "The model failed to generate a response (simulated).");
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("error");
        }

        json.WriteNull("incomplete_details");
        json.WriteNull("instructions");
        json.WriteNull("max_output_tokens");
        json.WriteString("model", answer.Model);
        json.WriteStartArray("output");
        if (completed)
        {
            WriteMessageItem(json, "msg_" + _id);
        }

        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls", true);
        json.WriteNull("previous_response_id");
        json.WriteStartObject("reasoning");
        json.WriteNull("effort");
        json.WriteNull("summary");
        json.WriteEndObject();
        json.WriteBoolean("store", false);
        json.WriteNumber("temperature", 1.0);
        json.WriteStartObject("text");
        json.WriteStartObject("format");
        json.WriteString("type", "text");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("tool_choice", "auto");
        json.WriteStartArray("tools");
        json.WriteEndArray();
        json.WriteNumber("top_p", 1.0);
        json.WriteString("truncation", "disabled");
        if (completed)
        {
            json.WriteStartObject("usage");
            json.WriteNumber("input_tokens", answer.PromptTokens);
            json.WriteStartObject("input_tokens_details");
            json.WriteNumber("cached_tokens", answer.CachedTokens);
            json.WriteEndObject();
            json.WriteNumber("output_tokens", answer.CompletionTokens);
            json.WriteStartObject("output_tokens_details");
            json.WriteNumber("reasoning_tokens", answer.ReasoningTokens);
            json.WriteEndObject();
            json.WriteNumber("total_tokens", answer.PromptTokens + answer.CompletionTokens);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("usage");
        }

        json.WriteNull("user");
        json.WriteStartObject("metadata");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private void WriteMessageItem(Utf8JsonWriter json, string itemId)
    {
        json.WriteStartObject();
        json.WriteString("id", itemId);
        json.WriteString("type", "message");
        json.WriteString("status", "completed");
        json.WriteString("role", "assistant");
        json.WriteStartArray("content");
        WritePart(json, answer.Text, named: false);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter json, string text, bool named = true)
    {
        if (named)
        {
            json.WriteStartObject("part");
        }
        else
        {
            json.WriteStartObject();
        }

        json.WriteString("type", "output_text");
        json.WriteStartArray("annotations");
        json.WriteEndArray();
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private Utf8JsonWriter Start()
    {
        _buffer.ResetWrittenCount();
        return new Utf8JsonWriter(_buffer);
    }

    private async Task SendAsync(Utf8JsonWriter json, bool sse)
    {
        await json.FlushAsync();
        await json.DisposeAsync();
        if (sse)
        {
            await Response.Body.WriteAsync("data: "u8.ToArray());
        }

        await Response.Body.WriteAsync(_buffer.WrittenMemory);
        if (sse)
        {
            await Response.Body.WriteAsync("\n\n"u8.ToArray());
            await Response.Body.FlushAsync();
        }
    }
}
