using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Proxy;

/// <summary>
/// Shapes the upstream request: the path after <c>/v1</c> goes under the provider's API root, the client's virtual key
/// and metering headers stay here, the provider's key goes out. Compression is refused upstream so the usage block
/// can be read as it passes (the client link is loopback or the gateway's own network).
/// </summary>
internal sealed class ProviderTransformer(Upstream upstream) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var path = httpContext.Request.Path.Value ?? string.Empty;
        var relative = path.StartsWith("/v1/", StringComparison.Ordinal) ? path[3..] : path;
        proxyRequest.RequestUri = new Uri(destinationPrefix + relative + httpContext.Request.QueryString.Value, UriKind.Absolute);

        var headers = proxyRequest.Headers;
        headers.Remove("Authorization");
        headers.Remove("api-key");
        headers.Remove("x-api-key");
        headers.Remove("Cookie");
        headers.Remove("Accept-Encoding");
        foreach (var name in headers.Select(h => h.Key).Where(IsMeterHeader).ToList())
        {
            headers.Remove(name);
        }

        if (!string.IsNullOrEmpty(upstream.ApiKey))
        {
            headers.TryAddWithoutValidation("Authorization", "Bearer " + upstream.ApiKey);
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is { IsSuccessStatusCode: true } && httpContext.Items[typeof(Admission.AdmissionDecision)] is Admission.AdmissionDecision decision)
        {
            Admission.RateLimitHeaders.Apply(httpContext.Response.Headers, decision);
        }

        if (proxyResponse?.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            // The gateway may drop the usage chunk it asked for; a copied length would then be wrong.
            httpContext.Response.Headers.ContentLength = null;
        }

        return proceed;
    }

    internal static bool IsMeterHeader(string name) => name.StartsWith("X-Meter-", StringComparison.OrdinalIgnoreCase);
}
