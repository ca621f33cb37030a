using System.Text;
using System.Text.Json;
using Gateway.Metering.Alerts;

namespace Gateway.Tests.Alerts;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Create_KnownVector_MatchesHmacSha256OfTimestampDotBody()
    {
        // python3: hmac.new(secret, b"1700000000." + body, hashlib.sha256).hexdigest()
        var body = Encoding.UTF8.GetBytes("""{"id":"evt","type":"wallet.low_balance"}""");

        var header = WebhookSignature.Create("whsec_test_0123456789abcdef", 1_700_000_000, body);

        Assert.Equal("t=1700000000,v1=45c955c22dfe49c7f20e5ba340cd2b1c2c0cc736d8d5569bb56496b7de834d17", header);
    }

    [Fact]
    public void Create_OtherSecretOrTime_OtherSignature()
    {
        var body = Encoding.UTF8.GetBytes("{}");

        var reference = WebhookSignature.Create("secret-one-0123456789", 1, body);

        Assert.NotEqual(reference.Split(",v1=")[1], WebhookSignature.Create("secret-two-0123456789", 1, body).Split(",v1=")[1]);
        Assert.NotEqual(reference.Split(",v1=")[1], WebhookSignature.Create("secret-one-0123456789", 2, body).Split(",v1=")[1]);
    }

    [Fact]
    public void Payload_Build_EnvelopeWithSnakeCaseData()
    {
        var id = Guid.Parse("0190f1e2-0000-7000-8000-000000000001");
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var text = WebhookPayload.Build(id, WebhookTypes.LowBalance, at, "acme", new LowBalanceData(5m, 5m, 0.02m, 4.98m, "USD"), WebhookJsonContext.Default.LowBalanceData);

        Assert.Equal(
            """{"id":"0190f1e2-0000-7000-8000-000000000001","type":"wallet.low_balance","created_at":"2025-01-02T03:04:05+00:00","tenant_id":"acme","data":{"threshold":5,"balance":5,"held":0.02,"available":4.98,"currency":"USD"}}""",
            text);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(text).RootElement.GetProperty("data").ValueKind);
    }
}
