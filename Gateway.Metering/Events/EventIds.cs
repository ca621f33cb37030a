namespace Gateway.Metering.Events;

/// <summary>Mints event ids: UUIDv7 (RFC 9562), so ids sort by the time they were minted.</summary>
internal sealed class EventIds(TimeProvider time)
{
    public Guid Next() => Guid.CreateVersion7(time.GetUtcNow());
}
