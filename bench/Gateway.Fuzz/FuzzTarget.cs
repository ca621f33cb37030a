namespace Gateway.Fuzz;

/// <summary>One thing fuzzed: its seeds and a run that throws <see cref="InvariantViolation"/> (or anything else: a
/// crash) when an input breaks it. The <see cref="Random"/> decides how the input is cut into pieces.</summary>
internal sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Action<byte[], Random> Run);
