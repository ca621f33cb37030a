using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Test classes run in parallel: two that give their gateways the same Redis database share its event streams and
/// consumer group, and one drains the other's backlog (a flaky test, seen). Each database number belongs to one file.
/// </summary>
public sealed partial class TestDatabasesTests
{
    [GeneratedRegex(@"RedisDatabase\((\d+)\)|defaultDatabase=(\d+)|StartAsync\(database: (\d+)")]
    private static partial Regex DatabaseUse();

    [Fact]
    public void RedisDatabases_EachUsedByOneTestFile()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "gateway.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var uses = Directory.EnumerateFiles(Path.Combine(root.FullName, "Gateway.Tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith("TestServices.cs", StringComparison.Ordinal) && !f.EndsWith(nameof(TestDatabasesTests) + ".cs", StringComparison.Ordinal))
            .SelectMany(f => DatabaseUse().Matches(File.ReadAllText(f)).Select(m => (Database: int.Parse(m.Groups.Values.Skip(1).First(g => g.Success).Value, System.Globalization.CultureInfo.InvariantCulture), File: Path.GetFileName(f))))
            .Where(u => u.Database != 1) // the suite's shared database, by design
            .Distinct()
            .ToList();

        Assert.NotEmpty(uses);
        var shared = uses.GroupBy(u => u.Database).Where(g => g.Count() > 1).Select(g => $"database {g.Key}: {string.Join(", ", g.Select(u => u.File))}").ToList();
        Assert.True(shared.Count == 0, string.Join("; ", shared));
    }
}
