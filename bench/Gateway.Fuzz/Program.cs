using System.Diagnostics;
using Gateway.Fuzz;

// Long fuzz run: dotnet Gateway.Fuzz.dll [inputs per target] [--seed N] [--target name] [--findings dir] [--verbose]
// Prints one line per target (inputs, time, inputs/s, crashes, hangs over 1 s, slowest input) and saves each finding's
// input under the findings directory. Exit code 1 when anything was found.
var inputs = 100_000L;
var seed = 1;
string? only = null;
var findingsDir = "fuzz-findings";
var verbose = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed": seed = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--target": only = args[++i]; break;
        case "--findings": findingsDir = args[++i]; break;
        case "--verbose": verbose = true; break; // whole stack traces
        default: inputs = long.Parse(args[i].Replace("_", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture); break;
    }
}

var targets = FuzzTargets.All().Where(t => only is null || t.Name == only).ToList();
if (targets.Count == 0)
{
    Console.Error.WriteLine("No such target. Targets: " + string.Join(", ", FuzzTargets.All().Select(t => t.Name)));
    return 2;
}

// A watchdog: an input that runs 10 s is a hang the loop cannot report itself; save it and stop.
var current = (Target: "", Index: 0L, Seed: 0, Since: 0L);
using var watchdog = new Timer(_ =>
{
    var c = current;
    if (c.Since != 0 && Stopwatch.GetElapsedTime(c.Since) > TimeSpan.FromSeconds(10))
    {
        Console.WriteLine($"HANG: {c.Target} input {c.Index} (input seed {c.Seed}) still running after 10 s; rerun with --seed {seed} --target {c.Target}");
        Environment.Exit(3);
    }
}, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

Console.WriteLine($"seed {seed}, {inputs:N0} inputs per target, {targets.Count} targets");
var found = 0;
foreach (var target in targets)
{
    var report = FuzzRunner.Run(target, inputs, seed, (index, inputSeed) => current = (target.Name, index, inputSeed, Stopwatch.GetTimestamp()));
    current = ("", 0, 0, 0);
    Console.WriteLine(report);
    foreach (var finding in report.Findings)
    {
        Directory.CreateDirectory(findingsDir);
        var path = Path.Combine(findingsDir, $"{finding.Target}-{finding.Index}.bin");
        File.WriteAllBytes(path, finding.Input);
        Console.WriteLine($"  input {finding.Index} (input seed {finding.InputSeed}) -> {path}: {(verbose ? finding.Problem : finding.Problem.Split('\n')[0])}");
        found++;
    }

    found += report.Crashes + report.Hangs - report.Findings.Count;
}

return found == 0 ? 0 : 1;
