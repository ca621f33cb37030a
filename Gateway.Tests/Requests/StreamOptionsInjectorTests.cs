using System.Text;
using System.Text.Json;
using Gateway.Metering.Requests;

namespace Gateway.Tests.Requests;

public sealed class StreamOptionsInjectorTests
{
    [Theory]
    [InlineData("""{"model":"m","stream":true}""")]
    [InlineData("""  {  }""")]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"include_obfuscation":false}}""")]
    [InlineData("""{"model":"m","stream":true,"stream_options":{"include_usage":false}}""")]
    public void Inject_AnyShape_SetsIncludeUsageAndKeepsTheRest(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var facts = RequestInspector.Inspect(body, out _)!;

        var injected = StreamOptionsInjector.Inject(body, body.Length, facts);

        using var original = JsonDocument.Parse(body);
        using var result = JsonDocument.Parse(injected);
        Assert.True(result.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        foreach (var property in original.RootElement.EnumerateObject().Where(p => p.Name != "stream_options"))
        {
            Assert.Equal(property.Value.GetRawText(), result.RootElement.GetProperty(property.Name).GetRawText());
        }

        if (original.RootElement.TryGetProperty("stream_options", out var options) && options.TryGetProperty("include_obfuscation", out _))
        {
            Assert.False(result.RootElement.GetProperty("stream_options").GetProperty("include_obfuscation").GetBoolean());
        }
    }
}
