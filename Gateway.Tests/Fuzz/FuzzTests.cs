using Gateway.Fuzz;

namespace Gateway.Tests.Fuzz;

/// <summary>
/// The short fuzz pass of every target (a few thousand inputs each, seconds in all); <c>scripts/fuzz.sh</c> runs the
/// long one. A finding fails with the input's index and seed, so it can be regenerated and made a regression test
/// (<see cref="FuzzRegressionTests"/>). It keeps a core busy for seconds, so it runs alone: timing-sensitive tests
/// (outages with 500 ms Redis timeouts) never share the machine with it.
/// </summary>
[Collection(Name)]
public sealed class FuzzTests
{
    public const string Name = "fuzz";

    private const int Inputs = 4000;
    private const int Seed = 20261127;

    public static TheoryData<string> Targets() => [.. FuzzTargets.All().Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_ShortRun_NoCrashNoHang(string name)
    {
        var target = FuzzTargets.All().Single(t => t.Name == name);

        var report = FuzzRunner.Run(target, Inputs, Seed);

        Assert.Equal(Inputs, report.Inputs);
        Assert.True(report.Crashes == 0 && report.Hangs == 0, report + "\n" + string.Join("\n", report.Findings.Select(f => $"input {f.Index} (seed {f.InputSeed}): {f.Problem}")));
    }

    [Fact]
    public void Mutator_SameSeed_SameInputs()
    {
        var target = FuzzTargets.All()[0];

        var first = Enumerable.Range(0, 200).Select(i => FuzzRunner.Generate(target, Seed, i).Input).ToList();
        var second = Enumerable.Range(0, 200).Select(i => FuzzRunner.Generate(target, Seed, i).Input).ToList();

        Assert.Equal(first, second);
        Assert.True(first.Distinct(new BytesComparer()).Count() > 150, "the mutator repeats itself");
    }

    [Fact]
    public void Runner_TargetThatThrows_CountsCrashesAndKeepsTheInput()
    {
        var target = new FuzzTarget("throws-on-brace", [[(byte)'{'], [(byte)'x']], (input, _) =>
        {
            if (input.Length == 1 && input[0] == '{')
            {
                throw new InvalidOperationException("boom");
            }
        });

        var report = FuzzRunner.Run(target, 2, Seed);

        Assert.Equal(1, report.Crashes);
        Assert.Equal([(byte)'{'], report.Findings.Single().Input);
        Assert.Contains("boom", report.Findings.Single().Problem, StringComparison.Ordinal);
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => obj.Length;
    }
}

[CollectionDefinition(FuzzTests.Name, DisableParallelization = true)]
public sealed class FuzzCollection
{
}
