using System.Text;
using Gateway.Metering.Export;

namespace Gateway.Tests.Export;

public sealed class EventCsvFormatterTests
{
    [Theory]
    [InlineData("gpt-4o", "gpt-4o,")]
    [InlineData("", ",")]
    [InlineData(null, ",")]
    [InlineData("a,b", "\"a,b\",")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\",")]
    [InlineData("two\r\nlines", "\"two\r\nlines\",")]
    [InlineData("=1+2", "\"'=1+2\",")]
    [InlineData("+1", "\"'+1\",")]
    [InlineData("-1", "\"'-1\",")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\",")]
    [InlineData("\tx", "\"'\tx\",")]
    [InlineData("\rx", "\"'\rx\",")]
    [InlineData("=\"x\"", "\"'=\"\"x\"\"\",")]
    [InlineData("a=b", "a=b,")]
    public void Text_Value_QuotedAndNeutralisedAsRfc4180AndOwaspSay(string? value, string expected)
    {
        var line = new StringBuilder();

        EventCsvFormatter.Text(line, value);

        Assert.Equal(expected, line.ToString());
    }

    [Fact]
    public void AppendRow_Event_OneCellPerHeaderFieldEndingInCrLf()
    {
        var e = ExportTestEvents.Make("acme", 2, new DateTimeOffset(2025, 3, 4, 5, 6, 7, 891, TimeSpan.Zero).AddMicroseconds(234));
        var line = new StringBuilder();

        EventCsvFormatter.AppendRow(line, e);

        var text = line.ToString();
        Assert.EndsWith("\r\n", text);
        Assert.StartsWith($"{e.EventId:D},2025-03-04T05:06:07.891234Z,acme,key_2,openai,/v1/chat/completions,,served-2,false,completed,200,true,1002,206,102,2,", text);
        Assert.Contains(",\"'\ttrace\",", text);
        Assert.Contains(",\"{\"\"team\"\":\"\"a,b\"\",", text); // metadata as JSON, quoted
    }
}
