using System.Text.RegularExpressions;
using Gateway.Metering.Usage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Proxy;

/// <summary>
/// Picks the upstream of a request from its API and model. OpenAI-compatible routes: the first <c>openai</c> or
/// <c>simulated</c> provider whose <c>Models</c> pattern matches the model; else <c>Providers:openai</c> when it has a
/// BaseUrl; else a <c>simulated</c> provider with a BaseUrl (the simulator as its own process); else the simulator
/// inside this gateway. Anthropic and Gemini routes: the first provider of that kind matching the model, else the first
/// of that kind. Upstream hosts come from configuration only, never from a request.
/// </summary>
internal sealed class UpstreamSelector(IOptions<ProvidersOptions> providers, IServer server)
{
    public const string InProcessPrefix = "/simulator/v1";

    private readonly (string Name, string Kind, ProviderOptions Options, Regex[] Patterns)[] _providers =
    [
        .. providers.Value.Select(p => (
            p.Key.ToLowerInvariant(),
            (p.Value.Kind ?? (p.Key.Equals("openai", StringComparison.OrdinalIgnoreCase) ? "openai" : "")).ToLowerInvariant(),
            p.Value,
            p.Value.Models.Select(Pattern).ToArray())),
    ];

    private Upstream? _inProcess;
    private Upstream? _default;
    private bool _defaultKnown;
    private (Upstream Upstream, Regex[] Patterns)[]? _openAiKinds, _anthropicKinds, _geminiKinds, _azureKinds;

    private (Upstream Upstream, Regex[] Patterns)[] OpenAiProviders => _openAiKinds ??= OfKinds("openai", "simulated");

    private (Upstream Upstream, Regex[] Patterns)[] AnthropicProviders => _anthropicKinds ??= OfKinds("anthropic");

    private (Upstream Upstream, Regex[] Patterns)[] GeminiProviders => _geminiKinds ??= OfKinds("gemini");

    private (Upstream Upstream, Regex[] Patterns)[] AzureProviders => _azureKinds ??= OfKinds("azure");

    public bool UsesInProcessSimulator => DefaultOpenAi() is null;

    /// <summary>The upstream for this API and model, or null when no provider serves that API. Azure's deployment
    /// routes (<paramref name="azure"/>) go only to <c>azure</c> providers.</summary>
    public Upstream? For(ApiKind api, string? model, bool azure = false)
    {
        var candidates = azure ? AzureProviders : api switch
        {
            ApiKind.AnthropicMessages => AnthropicProviders,
            ApiKind.GeminiGenerateContent => GeminiProviders,
            _ => OpenAiProviders,
        };
        foreach (var candidate in candidates)
        {
            if (model is not null && candidate.Patterns.Any(r => r.IsMatch(model)))
            {
                return candidate.Upstream;
            }
        }

        if (azure || api is ApiKind.AnthropicMessages or ApiKind.GeminiGenerateContent)
        {
            return candidates.Length == 0 ? null : candidates[0].Upstream;
        }

        return DefaultOpenAi() ?? InProcess();
    }

    /// <summary>The providers of some kinds that have a BaseUrl, in configuration order (computed once).</summary>
    private (Upstream Upstream, Regex[] Patterns)[] OfKinds(params string[] kinds)
        => [.. _providers.Where(p => kinds.Contains(p.Kind) && !string.IsNullOrWhiteSpace(p.Options.BaseUrl)).Select(p => (ToUpstream(p.Name, p.Kind, p.Options), p.Patterns))];

    private Upstream? DefaultOpenAi() => _defaultKnown ? _default : CacheDefault();

    private Upstream? CacheDefault()
    {
        _default = FindDefault();
        _defaultKnown = true;
        return _default;
    }

    private Upstream? FindDefault()
    {
        foreach (var (name, kind, options, _) in _providers)
        {
            if (name == "openai" && kind == "openai" && !string.IsNullOrWhiteSpace(options.BaseUrl))
            {
                return ToUpstream(name, kind, options);
            }
        }

        foreach (var (name, kind, options, _) in _providers)
        {
            if (kind == "simulated" && !string.IsNullOrWhiteSpace(options.BaseUrl))
            {
                return ToUpstream(name, kind, options);
            }
        }

        return null;
    }

    private Upstream InProcess()
    {
        if (_inProcess is not null)
        {
            return _inProcess;
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.Select(a => new Uri(a)).FirstOrDefault(u => u.Scheme == "http")
            ?? throw new InvalidOperationException("The in-process simulator needs a plain http listener.");
        var host = address.Host is "0.0.0.0" or "[::]" or "+" or "*" ? "127.0.0.1" : address.Host;
        return _inProcess = new Upstream("simulated", "simulated", $"http://{host}:{address.Port}{InProcessPrefix}", null);
    }

    /// <summary>The provider named as a fallback, when it exists and has a BaseUrl.</summary>
    public Upstream? Named(string? name)
    {
        foreach (var (candidate, kind, options, _) in _providers)
        {
            if (name is not null && candidate.Equals(name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(options.BaseUrl))
            {
                return ToUpstream(candidate, kind, options);
            }
        }

        return null;
    }

    private static Upstream ToUpstream(string name, string kind, ProviderOptions options)
        => new(name, kind, options.BaseUrl!.TrimEnd('/'), options.ApiKey, options.StreamOptions, string.IsNullOrWhiteSpace(options.FallbackTo) ? null : options.FallbackTo);

    private static Regex Pattern(string glob) => new("^" + Regex.Escape(glob).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
