using System.Text.Json;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The provider transcripts with their expected usage: the copy in Gateway.Tests/Fixtures (vendored from the team's
/// shared/fixtures, so a plain clone runs the suite), or <c>GATEWAY_SHARED_DIR/fixtures</c> when that is set.
/// </summary>
internal static class SharedFixtures
{
    public static string Root { get; } = Locate();

    public static string Dir(string name) => Path.Combine(Root, name);

    public static byte[] Response(string name)
    {
        var sse = Path.Combine(Dir(name), "response.sse");
        return File.ReadAllBytes(File.Exists(sse) ? sse : Path.Combine(Dir(name), "response.json"));
    }

    public static bool IsStream(string name) => File.Exists(Path.Combine(Dir(name), "response.sse"));

    public static JsonElement Json(string name, string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir(name), file)));
        return document.RootElement.Clone();
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_SHARED_DIR") is { Length: > 0 } configured)
        {
            return Path.Combine(configured, "fixtures");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
            {
                var fixtures = Path.Combine(dir.FullName, "Gateway.Tests", "Fixtures");
                return Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException($"No fixtures at {fixtures}; set GATEWAY_SHARED_DIR.");
            }
        }

        throw new DirectoryNotFoundException("gateway.sln not found above the test binaries.");
    }
}
