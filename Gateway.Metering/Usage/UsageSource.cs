namespace Gateway.Metering.Usage;

/// <summary>Where an event's token counts came from; written to the event as lower-case text.</summary>
internal enum UsageSource
{
    /// <summary>The provider's own usage block.</summary>
    Provider,

    /// <summary>Counted with the tokenizer because the provider sent no usage (cut stream, error, old server).</summary>
    Estimated,

    /// <summary>Nothing to count: an error answer without usage, recorded as not billable.</summary>
    None,
}
