using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Proxy;

/// <summary>The one HTTP client of all upstream calls, tuned for a proxy (YARP's recommended handler settings).</summary>
internal sealed class UpstreamClient : IDisposable
{
    public UpstreamClient()
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
