using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>
/// Picks the upstream of the OpenAI routes: <c>Providers:openai</c> when it has a BaseUrl; else a <c>simulated</c>
/// provider with a BaseUrl (the simulator as its own process); else the simulator inside this gateway, reached at
/// this server's own loopback address once it is listening.
/// </summary>
internal sealed class UpstreamSelector(IOptions<ProvidersOptions> providers, IServer server)
{
    public const string InProcessPrefix = "/simulator/v1";

    private Upstream? _chosen;

    public Upstream Current => _chosen ??= Choose();

    public bool UsesInProcessSimulator => Configured() is null;

    private Upstream Choose()
    {
        if (Configured() is { } configured)
        {
            return configured;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.Select(a => new Uri(a)).FirstOrDefault(u => u.Scheme == "http")
            ?? throw new InvalidOperationException("The in-process simulator needs a plain http listener.");
        var host = address.Host is "0.0.0.0" or "[::]" or "+" or "*" ? "127.0.0.1" : address.Host;
        return new Upstream("simulated", $"http://{host}:{address.Port}{InProcessPrefix}", null);
    }

    private Upstream? Configured()
    {
        foreach (var (name, entry) in providers.Value)
        {
            if (name.Equals("openai", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(entry.BaseUrl)
                && !"simulated".Equals(entry.Kind, StringComparison.OrdinalIgnoreCase))
            {
                return new Upstream("openai", entry.BaseUrl.TrimEnd('/'), entry.ApiKey);
            }
        }

        foreach (var (name, entry) in providers.Value)
        {
            if ("simulated".Equals(entry.Kind, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(entry.BaseUrl))
            {
                return new Upstream(name.ToLowerInvariant(), entry.BaseUrl.TrimEnd('/'), entry.ApiKey);
            }
        }

        return null;
    }
}
