namespace Gateway.Fuzz;

/// <summary>What a run of one target found. A hang is an input that took longer than <see cref="FuzzRunner.HangAfter"/>.</summary>
internal sealed record FuzzReport(string Target, long Inputs, TimeSpan Elapsed, int Crashes, int Hangs, double MaxMs, IReadOnlyList<FuzzFinding> Findings)
{
    public double InputsPerSecond => Inputs / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public override string ToString()
        => $"{Target,-18} {Inputs,10:N0} inputs  {Elapsed.TotalSeconds,7:F1} s  {InputsPerSecond,9:N0}/s  crashes {Crashes}  hangs>1s {Hangs}  max {MaxMs:F1} ms";
}

/// <summary>One input that crashed, broke an invariant or hung; <see cref="InputSeed"/> regenerates it.</summary>
internal sealed record FuzzFinding(string Target, long Index, int InputSeed, string Problem, byte[] Input);
