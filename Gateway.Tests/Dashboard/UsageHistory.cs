using Gateway.Metering.Events;
using Gateway.Metering.Sink;
using Gateway.Metering.Tenants;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Dashboard;

/// <summary>
/// Past days of a tenant's usage, written the way the flusher writes events (the real writer: events and rollups in
/// one transaction), before the tenant has a live wallet: its first credit then builds the wallet from the ledger,
/// these costs included, so the books agree (drift 0). Requests cannot be sent in the past; this is the only way.
/// </summary>
internal static class UsageHistory
{
    private static readonly (string Model, long InputPrice, long OutputPrice)[] Models = [("sim-1", 1, 2), ("sim-mini", 1, 1), ("sim-reasoner", 3, 12)];
    private static readonly string[] Features = ["search", "chat", "summarize", "extract"];
    private static readonly string[] Users = ["alice", "bob", "carol", "dave", "erin"];

    /// <summary>Creates the tenant (Postgres only) and writes <paramref name="days"/> days of events before today.</summary>
    public static async Task<long> SeedAsync(IServiceProvider services, string tenant, int days)
    {
        await services.GetRequiredService<TenantCatalog>().CreateAsync(tenant, "Dashboard " + tenant, CancellationToken.None);
        var random = new Random(42);
        var today = DateTimeOffset.UtcNow.UtcDateTime.Date;
        var events = new List<MeteringEvent>();
        for (var d = days; d >= 1; d--)
        {
            var count = 6 + random.Next(10) + (days - d); // a growing trend
            for (var i = 0; i < count; i++)
            {
                var at = new DateTimeOffset(today.AddDays(-d).AddMinutes(30 + (i * 1400 / count)), TimeSpan.Zero);
                var (model, inPrice, outPrice) = Models[random.Next(10) switch { < 5 => 0, < 8 => 1, _ => 2 }];
                var input = 200 + random.Next(4000);
                var output = 50 + random.Next(1500);
                events.Add(new MeteringEvent
                {
                    EventId = IdAt(at, Random.Shared), // unique across runs (the writer ignores an id it has)
                    OccurredAt = at,
                    TenantId = tenant,
                    KeyId = "key_history",
                    Provider = "simulated",
                    Endpoint = "/v1/chat/completions",
                    Model = model,
                    ServedModel = model,
                    Status = EventStatus.Completed,
                    HttpStatus = 200,
                    Billable = true,
                    InputTokens = input,
                    OutputTokens = output,
                    TotalTokens = input + output,
                    UsageSource = "provider",
                    Feature = Features[random.Next(Features.Length)],
                    EndUser = Users[random.Next(Users.Length)],
                    LatencyMs = 300 + random.Next(2000),
                    TtftMs = 80 + random.Next(300),
                    CostMicros = (input * inPrice) + (output * outPrice),
                });
            }
        }

        await services.GetRequiredService<PostgresEventWriter>().WriteAsync(events, CancellationToken.None);
        return events.Count;
    }

    /// <summary>A UUIDv7 of that moment (RFC 9562 §5.7), as the gateway mints them.</summary>
    private static Guid IdAt(DateTimeOffset at, Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var ms = at.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(ms >> (8 * (5 - i)));
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
