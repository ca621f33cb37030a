using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Functional;

/// <summary><c>Metering:Enabled=false</c>: the bare proxy of the comparison benchmark forwards and records nothing.</summary>
public sealed class UnmeteredTests
{
    [Fact]
    public async Task MeteringOff_RequestsForwarded_NoEventNoRequestId()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Metering:Enabled"] = "false",
            ["Admission:Enabled"] = "false",
        });
        var (tenant, key, _) = await gateway.NewTenantAsync(credit: 0m);
        using var client = gateway.Client(key);

        using var plain = await client.PostAsync("/v1/chat/completions", Json("""{"model":"sim-1","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}"""));
        var plainBody = await plain.Content.ReadAsStringAsync();
        using var streamed = await client.PostAsync("/v1/chat/completions", Json("""{"model":"sim-1","max_tokens":3,"stream":true,"messages":[{"role":"user","content":"hi"}]}"""));
        var streamedBody = await streamed.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Contains("\"chat.completion\"", plainBody);
        Assert.Contains("\"completion_tokens\":3", plainBody);
        Assert.False(plain.Headers.Contains("X-Request-Id")); // the id of an event, and there is none
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.EndsWith("data: [DONE]\n\n", streamedBody);
        Assert.DoesNotContain("\"usage\"", streamedBody); // nothing asked the upstream for usage
        await Task.Delay(500); // several flush intervals of the test host
        Assert.Empty(await gateway.ReadEventsAsync(tenant));
    }

    [Fact]
    public async Task MeteringOff_UnknownKey_StillRefused()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Metering:Enabled"] = "false",
            ["Admission:Enabled"] = "false",
        });
        using var client = gateway.Client("sk-gw-not-a-key-of-anyone-0000000000");

        using var response = await client.PostAsync("/v1/chat/completions", Json("""{"model":"sim-1","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
