using System.ComponentModel.DataAnnotations;

namespace Gateway.Metering.Sink;

/// <summary>The event queue and its flusher. Bound from <c>Sink</c>.</summary>
internal sealed class SinkOptions
{
    public const string Section = "Sink";

    /// <summary>Events held in memory before writers wait. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Events written in one COPY. Default 1,000.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>Most event-stream entries one Redis command reads, acknowledges or deletes. Redis runs one command at a
    /// time, so every admission of every gateway waits behind it: a read of 1,000 one-kilobyte events held Redis
    /// for ~2.4 ms. A batch is read and released in pages of this size, one after another. Default 100.</summary>
    [Range(1, 100_000)]
    public int RedisPageSize { get; set; } = 100;

    /// <summary>Longest an event waits for a batch to fill. Default 200 ms.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long shutdown waits for the queue to drain. Default 15 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>First wait after a failed write; doubles up to <see cref="MaxRetryDelay"/>. Default 100 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>An event-stream entry pending this long on another gateway's consumer is taken over (that gateway is
    /// presumed dead) and written again; a duplicate write is harmless. Default 30 s.</summary>
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait between retries. Default 10 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
}
