using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Proxy;

/// <summary>
/// Shapes the upstream request for the provider's kind: the path goes under the provider's API root (OpenAI-compatible
/// roots end in <c>/v1</c>, so <c>/v1</c> is not repeated; Anthropic and Gemini roots are the host), the client's
/// virtual key, cookies and metering headers stay here, and the provider's key goes out the way that API takes it.
/// Compression is refused upstream so the usage block can be read as it passes. On the way back, provider account
/// headers and cookies are removed (<see cref="ResponseHeaderPolicy"/>) and error answers have the provider's key
/// masked. YARP drops the standard hop-by-hop headers both ways; those a <c>Connection</c> header names are dropped here.
/// </summary>
internal sealed class ProviderTransformer(Upstream upstream, ResponseHeaderPolicy responseHeaders) : HttpTransformer
{
    private readonly byte[]? _key = string.IsNullOrEmpty(upstream.ApiKey) ? null : System.Text.Encoding.UTF8.GetBytes(upstream.ApiKey);

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

        foreach (var name in ConnectionOptions(httpContext.Request.Headers.Connection))
        {
            // Hop-by-hop by declaration (RFC 9110 §7.6.1); YARP drops only the standard ones. (Kestrel keeps the
            // names only when the header holds neither close nor keep-alive: it rewrites it to that option.)
            headers.Remove(name);
            proxyRequest.Content?.Headers.Remove(name);
        }

        // The provider's host, never the client's Host header: on shared front ends the Host picks the tenant (an
        // attacker's resource would get our key).
        headers.Host = null;

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
        responseHeaders.Apply(httpContext.Response.Headers, upstream.ApiKey);
        if (proxyResponse is { Headers.Connection.Count: > 0 })
        {
            foreach (var name in ConnectionOptions(new StringValues([.. proxyResponse.Headers.Connection])))
            {
                httpContext.Response.Headers.Remove(name);
            }
        }

        if (proxyResponse is { StatusCode: >= System.Net.HttpStatusCode.BadRequest } && _key is not null)
        {
            // Error answers are where providers echo the key they were given (a bad or revoked key). A success is
            // not scanned: nothing in it comes from the key.
            proxyResponse.Content = new SecretMaskingContent(proxyResponse.Content, _key);
        }

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

    /// <summary>Header names listed in <c>Connection</c> (other than its own options such as close).</summary>
    private static IEnumerable<string> ConnectionOptions(StringValues connection)
        => connection.Count == 0 ? [] : connection.SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(n => !n.Equals("close", StringComparison.OrdinalIgnoreCase) && !n.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
                && !n.Equals("upgrade", StringComparison.OrdinalIgnoreCase));

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
