using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Security;

/// <summary>
/// The upstream host comes from configuration only. A body field (LiteLLM's <c>api_base</c> SSRF), a header or a
/// path that names another host never sends the request, or the provider's key, anywhere else.
/// </summary>
public sealed class UpstreamHostTests
{
    private const string ProviderKey = "sk-provider-ssrf-0d9e7c";

    public static TheoryData<string, string> Requests()
    {
        const string attacker = "http://127.0.0.1:{port}";
        return new TheoryData<string, string>
        {
            { "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"api_base\":\"" + attacker + "/v1\",\"base_url\":\"" + attacker + "/v1\",\"azure_endpoint\":\"" + attacker + "\",\"api_key\":\"x\",\"messages\":[]}" },
            { "/v1/chat/completions", "{\"model\":\"" + attacker + "/v1/gpt-4o\",\"messages\":[]}" },
            { "/v1/chat/completions", "{\"model\":\"openai/gpt-4o\",\"extra_body\":{\"api_base\":\"" + attacker + "\"},\"metadata\":{\"base_url\":\"" + attacker + "\"}}" },
            { "/v1beta/models/x@127.0.0.1:{port}:generateContent", "{\"contents\":[]}" },
            { "/v1beta/models/%2F%2F127.0.0.1:{port}%2Fv1:generateContent", "{\"contents\":[]}" },
            { "/openai/deployments/127.0.0.1:{port}/chat/completions", "{\"messages\":[]}" },
        };
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Request_NamesAnotherHost_OnlyTheConfiguredProviderIsCalled(string path, string body)
    {
        await using var provider = await ScriptedUpstream.StartAsync();
        await using var attacker = await ScriptedUpstream.StartAsync();
        var port = new Uri(attacker.Root).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Providers:openai:BaseUrl"] = provider.BaseUrl,
            ["Providers:openai:ApiKey"] = ProviderKey,
            ["Providers:gemini:Kind"] = "gemini",
            ["Providers:gemini:BaseUrl"] = provider.Root,
            ["Providers:gemini:ApiKey"] = ProviderKey,
            ["Providers:azure:Kind"] = "azure",
            ["Providers:azure:BaseUrl"] = provider.Root,
            ["Providers:azure:ApiKey"] = ProviderKey,
            ["Admission:AllowUnpricedModels"] = "true",
        });
        var (_, key, _) = await gateway.NewTenantAsync();
        using var client = gateway.Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, path.Replace("{port}", port, StringComparison.Ordinal))
        {
            Content = new StringContent(body.Replace("{port}", port, StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = "127.0.0.1:" + port;
        foreach (var header in (string[])["X-Forwarded-Host", "X-Original-Host", "X-Api-Base", "X-Base-Url", "X-Upstream", "api-base"])
        {
            request.Headers.TryAddWithoutValidation(header, "127.0.0.1:" + port);
        }

        request.Headers.TryAddWithoutValidation("Forwarded", "host=127.0.0.1:" + port);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(attacker.Requests);
        var received = Assert.Single(provider.Requests);
        Assert.Equal(new Uri(provider.Root).Authority, received.Headers["Host"]);
        Assert.Contains(ProviderKey, string.Join("\n", received.Headers.Values), StringComparison.Ordinal);
    }
}
