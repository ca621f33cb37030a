using System.Collections.Frozen;

namespace Gateway.Dashboard;

/// <summary>
/// <c>GET /dashboard/</c>: the usage dashboard, three static files embedded in the assembly (built from Gateway/Dashboard/web/
/// by scripts/dashboard.sh). The page holds no data: it asks for the admin token and calls the admin JSON API with
/// it as a bearer header, so the files themselves need no auth. A strict Content-Security-Policy allows scripts,
/// styles and requests from this origin only.
/// </summary>
internal static class DashboardEndpoints
{
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, (byte[] Bytes, string ContentType)> Files = Load();

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        // One route for /dashboard, /dashboard/ and its files (routing ignores a trailing slash): the bare path is sent
        // to /dashboard/ so the page's relative app.js and app.css resolve under it.
        endpoints.MapGet("/dashboard/{file?}", (string? file, HttpContext context) => file is null && !context.Request.Path.Value!.EndsWith('/')
            ? Results.Redirect("/dashboard/")
            : Serve(file ?? "index.html", context)).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Serve(string file, HttpContext context)
    {
        if (!Files.TryGetValue(file, out var found))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(found.Bytes, found.ContentType);
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var file = name["dashboard/".Length..];
            files[file] = (copy.ToArray(), Path.GetExtension(file) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                _ => "application/octet-stream",
            });
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
