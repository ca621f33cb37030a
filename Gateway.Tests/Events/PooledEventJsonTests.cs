using System.Text.Json;
using Gateway.Metering.Events;

namespace Gateway.Tests.Events;

public sealed class PooledEventJsonTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(2_000)] // metadata past the first 2 KB buffer: it grows
    public void Write_SameBytesAsTheSerializer(int metadataEntries)
    {
        var meteringEvent = Event(metadataEntries);

        using var pooled = PooledEventJson.Write(meteringEvent);

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(meteringEvent, EventJsonContext.Default.MeteringEvent), pooled.Json.ToArray());
    }

    [Fact]
    public void Write_ManyOnOneThread_EachItsOwnBuffer()
    {
        using var first = PooledEventJson.Write(Event(1));
        using var second = PooledEventJson.Write(Event(3));

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Event(1), EventJsonContext.Default.MeteringEvent), first.Json.ToArray());
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Event(3), EventJsonContext.Default.MeteringEvent), second.Json.ToArray());
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheBufferOnce()
    {
        var pooled = PooledEventJson.Write(Event(0));
        pooled.Dispose();
        pooled.Dispose();
        Assert.True(pooled.Json.IsEmpty);
    }

    private static MeteringEvent Event(int metadataEntries) => new()
    {
        EventId = new Guid("01a21dd6-055f-7000-a30f-55a1e94ee0cf"),
        OccurredAt = new DateTimeOffset(2026, 11, 27, 17, 0, 0, TimeSpan.Zero),
        TenantId = "acme",
        KeyId = "key_1",
        Provider = "openai",
        Endpoint = "/v1/chat/completions",
        Model = "gpt-4o",
        Status = EventStatus.Completed,
        HttpStatus = 200,
        Billable = true,
        InputTokens = 1200,
        OutputTokens = 300,
        CachedInputTokens = 1024,
        TotalTokens = 1500,
        UsageSource = "provider",
        Feature = "chat \"quoted\" <html> é 日本",
        Metadata = Enumerable.Range(0, metadataEntries).ToDictionary(i => "k" + i, i => new string('v', i % 50)),
        LatencyMs = 812,
        TtftMs = 95,
        CostMicros = 4_250,
        RawUsage = "{\"prompt_tokens\":1200,\"completion_tokens\":300}",
    };
}
