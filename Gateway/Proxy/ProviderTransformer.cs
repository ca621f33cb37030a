using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Proxy;

/// <summary>
/// Shapes the upstream request for the provider's kind: the path goes under the provider's API root (OpenAI-compatible
/// roots end in <c>/v1</c>, so <c>/v1</c> is not repeated; Anthropic and Gemini roots are the host), the client's
/// virtual key, cookies and metering headers stay here, and the provider's key goes out the way that API takes it.
/// Compression is refused upstream so the usage block can be read as it passes.
/// </summary>
internal sealed class ProviderTransformer(Upstream upstream) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var path = httpContext.Request.Path.Value ?? string.Empty;
        var relative = upstream.Kind is "openai" or "simulated" && path.StartsWith("/v1/", StringComparison.Ordinal) ? path[3..] : path;
        proxyRequest.RequestUri = new Uri(destinationPrefix + relative + Query(httpContext.Request), UriKind.Absolute);

        var headers = proxyRequest.Headers;
        foreach (var name in headers.Select(h => h.Key).Where(IsClientCredentialOrMeter).ToList())
        {
            headers.Remove(name);
        }

        if (!string.IsNullOrEmpty(upstream.ApiKey))
        {
            switch (upstream.Kind)
            {
                case "anthropic":
                    headers.TryAddWithoutValidation("x-api-key", upstream.ApiKey);
                    break;
                case "gemini":
                    headers.TryAddWithoutValidation("x-goog-api-key", upstream.ApiKey);
                    break;
                case "azure":
                    headers.TryAddWithoutValidation("api-key", upstream.ApiKey);
                    break;
                default:
                    headers.TryAddWithoutValidation("Authorization", "Bearer " + upstream.ApiKey);
                    break;
            }
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (upstream.FallbackTo is not null && proxyResponse is { } failed && IsRetryable((int)failed.StatusCode))
        {
            // Nothing of this answer reaches the client: the handler tries the fallback provider instead.
            httpContext.Items[FailedAttemptKey] = (int)failed.StatusCode;
            return false;
        }

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

    /// <summary>Where a failed attempt's status is left for the handler.</summary>
    public static readonly object FailedAttemptKey = new();

    public static bool IsRetryable(int status) => status is 429 or >= 500;

    internal static bool IsMeterHeader(string name) => name.StartsWith("X-Meter-", StringComparison.OrdinalIgnoreCase);

    private static bool IsClientCredentialOrMeter(string name)
        => IsMeterHeader(name) || name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
            || name.Equals("api-key", StringComparison.OrdinalIgnoreCase) || name.Equals("x-api-key", StringComparison.OrdinalIgnoreCase)
            || name.Equals("x-goog-api-key", StringComparison.OrdinalIgnoreCase) || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Accept-Encoding", StringComparison.OrdinalIgnoreCase);

    /// <summary>The query string without a Gemini-style <c>key</c> parameter (the client's virtual key).</summary>
    private static string Query(HttpRequest request)
    {
        if (!request.Query.ContainsKey("key"))
        {
            return request.QueryString.Value ?? string.Empty;
        }

        var kept = request.Query.Where(q => q.Key != "key").SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)));
        return QueryHelpers.AddQueryString(string.Empty, kept);
    }
}
