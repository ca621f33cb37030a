namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Tests that count what one call allocates run alone. The tokenizer's source-generated regex keeps one runner: a test
/// counting tokens on another thread at the same moment takes it, and this thread's call then builds a runner of its
/// own (15–48 KB), which the count would charge to the code under test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation measurements";
}
