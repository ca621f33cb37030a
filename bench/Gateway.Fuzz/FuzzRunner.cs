using System.Diagnostics;

namespace Gateway.Fuzz;

/// <summary>
/// Runs a target over generated inputs. Input <c>i</c> comes from its own seed (the run's seed, the target's name
/// and <c>i</c>), so any finding can be regenerated alone. The first inputs are the seeds themselves, unmutated.
/// </summary>
internal static class FuzzRunner
{
    public static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(1);

    /// <summary>Findings kept per target (counts go on).</summary>
    private const int MaxFindings = 20;

    public static FuzzReport Run(FuzzTarget target, long inputs, int seed, Action<long, int>? onInputStart = null)
    {
        var findings = new List<FuzzFinding>();
        int crashes = 0, hangs = 0;
        long maxTicks = 0;
        var started = Stopwatch.GetTimestamp();
        for (long i = 0; i < inputs; i++)
        {
            var (input, random, inputSeed) = Generate(target, seed, i);
            onInputStart?.Invoke(i, inputSeed);
            var before = Stopwatch.GetTimestamp();
            string? problem = null;
            try
            {
                target.Run(input, random);
            }
            catch (Exception ex)
            {
                crashes++;
                problem = ex is InvariantViolation ? "invariant: " + ex.Message : ex.GetType().Name + ": " + ex.Message + "\n" + ex.StackTrace;
            }

            var ticks = Stopwatch.GetTimestamp() - before;
            maxTicks = Math.Max(maxTicks, ticks);
            if (ticks > HangAfter.TotalSeconds * Stopwatch.Frequency)
            {
                hangs++;
                problem ??= $"hang: {ticks * 1000.0 / Stopwatch.Frequency:F0} ms";
            }

            if (problem is not null && findings.Count < MaxFindings)
            {
                findings.Add(new FuzzFinding(target.Name, i, inputSeed, problem, input));
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return new FuzzReport(target.Name, inputs, elapsed, crashes, hangs, maxTicks * 1000.0 / Stopwatch.Frequency, findings);
    }

    /// <summary>Input <paramref name="index"/> of a run, and the <see cref="Random"/> that then cuts it into pieces.</summary>
    public static (byte[] Input, Random Random, int InputSeed) Generate(FuzzTarget target, int seed, long index)
    {
        var inputSeed = InputSeed(seed, target.Name, index);
        var random = new Random(inputSeed);
        var input = index < target.Seeds.Count ? target.Seeds[(int)index] : Mutator.Mutate(target.Seeds, random);
        return (input, random, inputSeed);
    }

    /// <summary>A stable hash (FNV-1a): string hash codes differ between processes.</summary>
    private static int InputSeed(int seed, string name, long index)
    {
        var hash = 2166136261u;
        foreach (var b in BitConverter.GetBytes(seed).Concat(System.Text.Encoding.UTF8.GetBytes(name)).Concat(BitConverter.GetBytes(index)))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)hash;
    }
}
