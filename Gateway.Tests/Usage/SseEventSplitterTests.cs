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
    public void Parse_MultiLineData_JoinsWithLineFeed()
    {
        var scratch = new System.Buffers.ArrayBufferWriter<byte>();
        var sse = SseEvent.Parse("event: message_delta\ndata: {\"a\":\ndata: 1}\n\n"u8, scratch);

        Assert.Equal("message_delta", Encoding.UTF8.GetString(sse.Name));
        Assert.Equal("{\"a\":\n1}", Encoding.UTF8.GetString(sse.Data));
        Assert.Equal(2, sse.DataLines);
        Assert.Equal(-1, sse.SingleDataOffset);
    }

    [Fact]
    public void Parse_DataWithoutSpace_IsRead()
    {
        var sse = SseEvent.Parse("data:[DONE]\r\n\r\n"u8, new System.Buffers.ArrayBufferWriter<byte>());

        Assert.True(sse.IsDone);
        Assert.Equal(5, sse.SingleDataOffset);
    }
}
