using System.Text;
using Gateway.Metering.Usage;

namespace Gateway.Tests.Usage;

public sealed class OpenAiUsageReaderTests
{
    private static TokenUsage Read(string json) => OpenAiUsageReader.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Read_ChatUsageWithDetails_KeepsSubsetsInsideWholes()
    {
        var usage = Read("""
            {"prompt_tokens":2150,"completion_tokens":640,"total_tokens":2790,
             "prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":5,"cache_write_tokens":7},
             "completion_tokens_details":{"reasoning_tokens":448,"audio_tokens":3,"accepted_prediction_tokens":0}}
            """);

        Assert.Equal(new TokenUsage(2150, 640, 1920, 7, 448, 5, 3), usage);
        Assert.Equal(2790, usage.Total);
    }

    [Fact]
    public void Read_ResponsesNames_MapToSameClasses()
    {
        var usage = Read("""{"input_tokens":3120,"input_tokens_details":{"cached_tokens":2048},"output_tokens":910,"output_tokens_details":{"reasoning_tokens":640},"total_tokens":4030}""");

        Assert.Equal(new TokenUsage(3120, 910, 2048, 0, 640), usage);
    }

    [Fact]
    public void Read_EmbeddingsUsage_HasNoOutput()
    {
        Assert.Equal(new TokenUsage(14, 0), Read("""{"prompt_tokens":14,"total_tokens":14}"""));
    }

    [Theory]
    [InlineData("""{"prompt_tokens":-5,"completion_tokens":3}""", 0, 3)]
    [InlineData("""{"prompt_tokens":"12","completion_tokens":null}""", 0, 0)]
    [InlineData("""{"prompt_tokens":1e30,"completion_tokens":12.0}""", TokenUsage.MaxCount, 12)]
    [InlineData("""{"prompt_tokens":99999999999999999999999,"completion_tokens":4}""", TokenUsage.MaxCount, 4)]
    public void Read_HostileCounts_AreClamped(string json, long input, long output)
    {
        var usage = Read(json);

        Assert.Equal(input, usage.Input);
        Assert.Equal(output, usage.Output);
    }

    [Fact]
    public void Read_CachedLargerThanInput_IsCappedAtInput()
    {
        var usage = Read("""{"prompt_tokens":10,"completion_tokens":5,"prompt_tokens_details":{"cached_tokens":50},"completion_tokens_details":{"reasoning_tokens":9}}""");

        Assert.Equal(10, usage.CachedInput);
        Assert.Equal(5, usage.Reasoning);
    }
}
