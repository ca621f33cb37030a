using System.CommandLine;

namespace Gateway.Cli;

/// <summary>The options every command takes, and the admin client they make.</summary>
internal sealed record GlobalOptions(Option<string> Url, Option<string> Token, Option<bool> Json)
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The client for this invocation, or null (and a message) when no token is known.</summary>
    public AdminClient? Client(ParseResult parse, TextWriter error)
    {
        var url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("GATEWAY_URL") ?? DefaultUrl;
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("GATEWAY_ADMIN_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
        {
            error.WriteLine("error: no admin token: pass --token or set GATEWAY_ADMIN_TOKEN");
            return null;
        }

        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            error.WriteLine($"error: '{url}' is not an http(s) URL");
            return null;
        }

        return new AdminClient(root, token);
    }
}
