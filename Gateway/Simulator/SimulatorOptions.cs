using System.ComponentModel.DataAnnotations;

namespace Gateway.Simulator;

/// <summary>The built-in simulated provider. Bound from <c>Simulator</c>.</summary>
internal sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>Pause between streamed chunks. Default 0 (as fast as possible); a request can set its own with the
    /// <c>X-Simulator-Chunk-Delay-Ms</c> header.</summary>
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Completion tokens when the request gives no max_tokens. Default 16.</summary>
    [Range(1, 100_000)]
    public int DefaultMaxTokens { get; set; } = 16;

    /// <summary>Completion tokens are capped here whatever the request asks. Default 4,096.</summary>
    [Range(1, 1_000_000)]
    public int MaxTokens { get; set; } = 4096;
}
