using Gateway.Metering.Requests;
using Gateway.Metering.Tenants;
using Gateway.Metering.Usage;

namespace Gateway.Capture;

/// <summary>What is known of a request before it is forwarded; with the capture result it makes the event.</summary>
internal sealed class RequestContext
{
    public required Guid EventId { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public required KeyIdentity Identity { get; init; }

    public required ApiKind Api { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>The provider that answered: the first one, or the fallback that did.</summary>
    public required string Provider { get; set; }

    /// <summary>Attempts that failed before <see cref="Provider"/> answered.</summary>
    public List<Metering.Events.ProviderAttempt> Attempts { get; } = [];

    public required RequestFacts Facts { get; init; }

    /// <summary>The request body as the client sent it (for estimating input); null for GET routes.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    public string? Feature { get; init; }

    public string? Environment { get; init; }

    public string? TraceId { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
