using System.Net;
using Gateway.Metering.Export;

namespace Gateway.Tests.Export;

public sealed class ExportResponseTests
{
    [Theory]
    [InlineData(200, "Accepted")]
    [InlineData(202, "Accepted")]
    [InlineData(204, "Accepted")]
    [InlineData(400, "Rejected")]
    [InlineData(413, "Rejected")]
    [InlineData(422, "Rejected")]
    [InlineData(401, "Retry")]
    [InlineData(403, "Retry")]
    [InlineData(404, "Retry")]
    [InlineData(408, "Retry")]
    [InlineData(409, "Retry")]
    [InlineData(429, "Retry")]
    [InlineData(500, "Retry")]
    [InlineData(502, "Retry")]
    [InlineData(503, "Retry")]
    [InlineData(504, "Retry")]
    public void Classify_Status_RetriesWhatSendingAgainCanFix(int status, string expected)
        => Assert.Equal(expected, ExportResponse.Classify((HttpStatusCode)status).ToString());
}
