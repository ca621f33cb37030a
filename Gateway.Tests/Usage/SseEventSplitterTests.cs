using System.Text;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Usage;

public sealed class SseEventSplitterTests
{
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void TryTakeEvent_AnyLineEndAnySplit_YieldsSameEventsByteForByte(string eol)
    {
        var events = new[] { $"event: a{eol}data: {{\"x\":1}}{eol}{eol}", $": comment{eol}data: [DONE]{eol}{eol}" };
        var wire = Encoding.UTF8.GetBytes(string.Concat(events) + "data: {\"partial");
        for (var split = 0; split <= wire.Length; split++)
        {
            using var splitter = new SseEventSplitter();
            var seen = new List<string>();
            splitter.Append(wire.AsSpan(0, split));
            while (splitter.TryTakeEvent(false, out var raw))
            {
                seen.Add(Encoding.UTF8.GetString(raw));
            }

            splitter.Append(wire.AsSpan(split));
            while (splitter.TryTakeEvent(true, out var raw))
            {
                seen.Add(Encoding.UTF8.GetString(raw));
            }

            Assert.Equal(events, seen);
            Assert.Equal("data: {\"partial", Encoding.UTF8.GetString(splitter.TakeRemainder()));
        }
    }

    [Fact]
    public void TryTakeEvent_WholeEventsTaken_HoldsNoBufferBetweenChunks()
    {
        // Thousands of open streams wait between tokens: none should hold a buffer while nothing is pending.
        using var splitter = new SseEventSplitter();
        Assert.False(splitter.HoldsBuffer);

        splitter.Append("data: {\"a\":1}\n\ndata: {\"b\""u8);
        Assert.True(splitter.TryTakeEvent(false, out var first));
        Assert.Equal("data: {\"a\":1}\n\n", Encoding.UTF8.GetString(first));
        Assert.False(splitter.TryTakeEvent(false, out _));
        Assert.True(splitter.HoldsBuffer); // half an event is held back

        splitter.Append(":2}\n\n"u8);
        Assert.True(splitter.TryTakeEvent(false, out var second));
        Assert.Equal("data: {\"b\":2}\n\n", Encoding.UTF8.GetString(second));
        Assert.False(splitter.TryTakeEvent(false, out _));
        Assert.False(splitter.HoldsBuffer);
        Assert.Equal(0, splitter.Pending);

        splitter.Append("data: [DONE]\n\n"u8); // and it starts again from nothing
        Assert.True(splitter.TryTakeEvent(false, out var done));
        Assert.Equal("data: [DONE]\n\n", Encoding.UTF8.GetString(done));
        Assert.False(splitter.TryTakeEvent(true, out _));
        Assert.True(splitter.TakeRemainder().IsEmpty);
        Assert.False(splitter.HoldsBuffer);
    }

    [Fact]
    public void Parse_MultiLineData_JoinsWithLineFeed()
    {
        var scratch = new PooledBufferWriter();
        var sse = SseEvent.Parse("event: message_delta\ndata: {\"a\":\ndata: 1}\n\n"u8, scratch);

        Assert.Equal("message_delta", Encoding.UTF8.GetString(sse.Name));
        Assert.Equal("{\"a\":\n1}", Encoding.UTF8.GetString(sse.Data));
        Assert.Equal(2, sse.DataLines);
        Assert.Equal(-1, sse.SingleDataOffset);
    }

    [Fact]
    public void Parse_DataWithoutSpace_IsRead()
    {
        var sse = SseEvent.Parse("data:[DONE]\r\n\r\n"u8, new PooledBufferWriter());

        Assert.True(sse.IsDone);
        Assert.Equal(5, sse.SingleDataOffset);
    }
}
