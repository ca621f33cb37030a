namespace Gateway.Metering.Requests;

/// <summary>What the gateway needs to know of a client's JSON request body before forwarding it.</summary>
internal sealed class RequestFacts
{
    public string? Model { get; init; }

    public bool Stream { get; init; }

    /// <summary>The body has a <c>stream_options</c> member (of any type, <c>null</c> included).</summary>
    public bool HasStreamOptions { get; init; }

    /// <summary><c>stream_options.include_usage</c> is true: the client asked for the usage chunk itself.</summary>
    public bool IncludeUsage { get; init; }

    /// <summary>The request's <c>user</c> field (the end user, for attribution).</summary>
    public string? User { get; init; }

    /// <summary><c>max_tokens</c>, <c>max_completion_tokens</c> or <c>max_output_tokens</c>, when given.</summary>
    public long? MaxOutputTokens { get; init; }

    /// <summary>The same facts for a model named outside the body (Azure's deployment).</summary>
    public RequestFacts WithModel(string model) => new()
    {
        Model = model,
        Stream = Stream,
        HasStreamOptions = HasStreamOptions,
        IncludeUsage = IncludeUsage,
        User = User,
        MaxOutputTokens = MaxOutputTokens,
    };
}
