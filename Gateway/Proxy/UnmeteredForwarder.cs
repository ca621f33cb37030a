using System.Collections.Concurrent;
using Gateway.Errors;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Proxy;

/// <summary>
/// Forwarding with metering off (<c>Metering:Enabled=false</c>): YARP alone, with the same upstream choice, request
/// shaping, response-header policy and fallback as the metered path, but no capture stream around the response, no
/// event and no admission.
/// </summary>
internal sealed partial class UnmeteredForwarder(
    IHttpForwarder forwarder,
    UpstreamClient client,
    UpstreamSelector upstreams,
    ResponseHeaderPolicy responseHeaders,
    IOptions<ProxyOptions> options,
    ILogger<UnmeteredForwarder> logger)
{
    private readonly ForwarderRequestConfig _requestConfig = new() { ActivityTimeout = options.Value.UpstreamTimeout };
    private readonly ConcurrentDictionary<Upstream, ProviderTransformer> _transformers = new();

    public async Task ForwardAsync(HttpContext context, Upstream upstream, byte[]? body, int length)
    {
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body, 0, length, writable: false);
            context.Request.ContentLength = length;
            context.Request.Headers.TransferEncoding = default;
        }

        ForwarderError error;
        while (true)
        {
            context.Items.Remove(ProviderTransformer.FailedAttemptKey);
            var transformer = _transformers.GetOrAdd(upstream, u => new ProviderTransformer(u, responseHeaders));
            error = await forwarder.SendAsync(context, upstream.BaseUrl, client.Invoker, _requestConfig, transformer);
            if (error != ForwarderError.None)
            {
                ForwardFailed(logger, upstream.Name, error, context.GetForwarderErrorFeature()?.Exception);
            }

            var failed = context.Items[ProviderTransformer.FailedAttemptKey] as int?
                ?? (error is ForwarderError.Request or ForwarderError.RequestTimedOut ? context.Response.StatusCode : null);
            if (failed is null || context.Response.HasStarted || upstreams.Named(upstream.FallbackTo) is not { } next)
            {
                break;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            if (body is not null)
            {
                context.Request.Body = new MemoryStream(body, 0, length, writable: false);
            }

            upstream = next;
        }

        if (error is ForwarderError.Request or ForwarderError.RequestTimedOut && !context.Response.HasStarted)
        {
            await OpenAiErrorWriter.WriteAsync(context, error == ForwarderError.RequestTimedOut
                ? GatewayError.UpstreamTimeout(upstream.Name)
                : GatewayError.UpstreamUnavailable(upstream.Name));
        }
    }

    [LoggerMessage(1050, LogLevel.Warning, "Forwarding (unmetered) to {Provider} failed: {Error}")]
    private static partial void ForwardFailed(ILogger logger, string provider, ForwarderError error, Exception? exception);
}
