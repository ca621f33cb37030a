using System.Text;
using System.Text.Json;

namespace Gateway.Fuzz;

/// <summary>
/// The mutation seeds: the provider transcripts vendored in Gateway.Tests/Fixtures (request bodies, response bodies
/// and streams), plus a few hand-written hostile shapes the transcripts lack.
/// </summary>
internal static class Seeds
{
    public static string FixturesDir { get; } = Locate();

    /// <summary>Request bodies: every fixture's <c>request.json</c> body, and shapes the inspector treats specially.</summary>
    public static IReadOnlyList<byte[]> RequestBodies()
    {
        var seeds = new List<byte[]>();
        foreach (var file in Directory.GetFiles(FixturesDir, "request.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var request = JsonDocument.Parse(File.ReadAllBytes(file));
            if (request.RootElement.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object)
            {
                seeds.Add(Encoding.UTF8.GetBytes(body.GetRawText()));
            }
        }

        seeds.Add("""{"model":"m","stream":true,"stream_options":null,"messages":[{"role":"user","content":"hi"}]}"""u8.ToArray());
        seeds.Add("""{"model":"m","stream":true,"stream_options":{"include_obfuscation":false},"max_tokens":5,"user":"u"}"""u8.ToArray());
        seeds.Add("""{"model":"m","input":"caf\u00e9 \ud83d\ude00","instructions":"x","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}"""u8.ToArray());
        seeds.Add("""{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"systemInstruction":{"parts":[{"text":"s"}]}}"""u8.ToArray());
        return seeds;
    }

    /// <summary>Response bodies and streams of every fixture (each parser also gets the other APIs' bytes).</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Responses()
    {
        var seeds = new List<(string, byte[])>();
        foreach (var dir in Directory.GetDirectories(FixturesDir).Order(StringComparer.Ordinal))
        {
            foreach (var name in (string[])["response.sse", "response.json"])
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path))
                {
                    seeds.Add((Path.GetFileName(dir), File.ReadAllBytes(path)));
                }
            }
        }

        return seeds;
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var fixtures = Path.Combine(dir.FullName, "Gateway.Tests", "Fixtures");
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")) && Directory.Exists(fixtures))
            {
                return fixtures;
            }
        }

        throw new DirectoryNotFoundException("Gateway.Tests/Fixtures not found above " + AppContext.BaseDirectory);
    }
}
