using System.Text.Json;
using Gateway.Metering.Events;
using Gateway.Metering.Export;
using Gateway.Metering.Sink;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Gateway.Tests.Export;

/// <summary>
/// The exporter against the real Postgres and a fake Stripe, Lago and OpenMeter on Kestrel: the wire format and keys
/// of each, every event delivered, failures retried, refusals recorded, and a restart resuming (or, with the cursor
/// reset, sending the same ids again, which the target keeps once).
/// </summary>
public sealed class ExportServiceTests : IAsyncLifetime
{
    private readonly NpgsqlDataSource _postgres = NpgsqlDataSource.Create(TestServices.Postgres);
    private FakeBillingEndpoint _fake = null!;

    public async Task InitializeAsync()
    {
        await new MigrationRunner(_postgres, NullLogger<MigrationRunner>.Instance).RunAsync(CancellationToken.None);
        _fake = await FakeBillingEndpoint.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task Stripe_EveryEvent_OneFormEncodedMeterEventKeyedOnEventId()
    {
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 25);

        await RunUntilAsync(Options(ExportTarget.Stripe, tenant), () => DeliveredAsync(tenant, 25));

        Assert.Equal(25, _fake.Received.Count);
        foreach (var e in events)
        {
            var record = _fake.Stored[e.EventId.ToString("D")];
            Assert.StartsWith("application/x-www-form-urlencoded", record.ContentType);
            var form = record.Body.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Equal(["event_name", "timestamp", "identifier", "payload[stripe_customer_id]", "payload[value]"], form.Keys);
            Assert.Equal("llm_cost_micros", form["event_name"]);
            Assert.Equal(e.OccurredAt.ToUnixTimeSeconds().ToString(), form["timestamp"]);
            Assert.Equal("cus_" + tenant, form["payload[stripe_customer_id]"]);
            Assert.Equal(e.CostMicros.ToString(), form["payload[value]"]);
        }

        Assert.All(_fake.Calls, c => Assert.Equal("Bearer " + FakeBillingEndpoint.ApiKey, c.Authorization));
        Assert.Equal(25L, await ExportedAsync("test-" + tenant));
    }

    [Fact]
    public async Task Stripe_SeveralMetersAndPayloadKeys_OneMeterEventPerMeterWithOwnIdentifier()
    {
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 6);
        var options = Options(ExportTarget.Stripe, tenant, o =>
        {
            o.Stripe.Meters["llm_input_tokens"] = "input_tokens";
            o.Stripe.Meters["llm_output_tokens"] = "output_tokens";
            o.Stripe.CustomerPayloadKey = "customer";
            o.Stripe.ValuePayloadKey = "tokens";
            o.Customers.Clear(); // unmapped: the tenant id is the customer
        });

        await RunUntilAsync(options, () => _fake.WaitForStoredAsync(12));

        foreach (var e in events)
        {
            var input = _fake.Stored[$"{e.EventId:D}:llm_input_tokens"].Body;
            var output = _fake.Stored[$"{e.EventId:D}:llm_output_tokens"].Body;
            Assert.Equal("llm_input_tokens", input.GetProperty("event_name").GetString());
            Assert.Equal(e.InputTokens.ToString(), input.GetProperty("payload[tokens]").GetString());
            Assert.Equal(e.OutputTokens.ToString(), output.GetProperty("payload[tokens]").GetString());
            Assert.Equal(tenant, output.GetProperty("payload[customer]").GetString());
        }
    }

    [Fact]
    public async Task Lago_EveryEvent_InBatchesOfAtMost100WithTransactionId()
    {
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 130);
        var options = Options(ExportTarget.Lago, tenant, o => o.BatchSize = 150);

        await RunUntilAsync(options, () => _fake.WaitForStoredAsync(130));

        Assert.Equal(130, _fake.Received.Count);
        Assert.Equal([100, 30], _fake.Calls.Select(c => c.Ids.Count));
        Assert.All(_fake.Calls, c => Assert.StartsWith("application/json", c.ContentType));
        foreach (var e in events)
        {
            var body = _fake.Stored[e.EventId.ToString("D")].Body;
            Assert.Equal(["transaction_id", "external_subscription_id", "code", "timestamp", "properties"], body.EnumerateObject().Select(p => p.Name));
            Assert.Equal("cus_" + tenant, body.GetProperty("external_subscription_id").GetString());
            Assert.Equal("llm_usage", body.GetProperty("code").GetString());
            Assert.Equal(e.OccurredAt.ToUnixTimeSeconds(), body.GetProperty("timestamp").GetInt64());
            AssertProperties(e, body.GetProperty("properties"));
        }
    }

    [Fact]
    public async Task Lago_CustomerField_SendsExternalCustomerId()
    {
        var tenant = TestServices.NewTenantId();
        await StoreAsync(tenant, 3);
        var options = Options(ExportTarget.Lago, tenant, o => (o.Lago.CustomerField, o.Lago.Code) = ("external_customer_id", "tokens"));

        await RunUntilAsync(options, () => _fake.WaitForStoredAsync(3));

        Assert.All(_fake.Stored.Values, r =>
        {
            Assert.Equal("cus_" + tenant, r.Body.GetProperty("external_customer_id").GetString());
            Assert.False(r.Body.TryGetProperty("external_subscription_id", out _));
            Assert.Equal("tokens", r.Body.GetProperty("code").GetString());
        });
    }

    [Fact]
    public async Task OpenMeter_EveryEvent_AsCloudEventWithSubjectAndData()
    {
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 20);

        await RunUntilAsync(Options(ExportTarget.OpenMeter, tenant), () => _fake.WaitForStoredAsync(20));

        Assert.Equal(20, _fake.Received.Count);
        Assert.All(_fake.Calls, c => Assert.StartsWith("application/cloudevents-batch+json", c.ContentType));
        foreach (var e in events)
        {
            var body = _fake.Stored[e.EventId.ToString("D")].Body;
            Assert.Equal("1.0", body.GetProperty("specversion").GetString());
            Assert.Equal("llm-gateway", body.GetProperty("source").GetString());
            Assert.Equal("llm_usage", body.GetProperty("type").GetString());
            Assert.Equal("cus_" + tenant, body.GetProperty("subject").GetString());
            Assert.Equal(e.OccurredAt, DateTimeOffset.Parse(body.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            AssertProperties(e, body.GetProperty("data"));
        }
    }

    [Theory]
    [InlineData("stripe")]
    [InlineData("lago")]
    [InlineData("openmeter")]
    public async Task FailingEndpoint_5xx429AndTimeout_RetriedUntilEveryEventIsStoredOnce(string target)
    {
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 15);
        _fake.FailNext(2, 503);
        _fake.FailNext(1, 429, retryAfter: TimeSpan.FromSeconds(1));
        _fake.FailNext(1, 500, hang: TimeSpan.FromSeconds(5)); // longer than Export:Timeout
        _fake.FailNext(1, 401); // a wrong key is retried too, never taken as the events' fault
        var logger = new ListLogger<ExportService>();

        await RunUntilAsync(Options(target, tenant, o => (o.Timeout, o.Stripe.Concurrency) = (TimeSpan.FromMilliseconds(500), 1)), () => _fake.WaitForStoredAsync(15), logger);

        Assert.Equal(events.Select(e => e.EventId.ToString("D")).Order(), _fake.Stored.Keys.Order());
        Assert.True(logger.Lines.Count(l => l.Id.Id == 6802) >= 4, string.Join("\n", logger.Lines.Select(l => l.Text)));
        Assert.Contains(logger.Lines, l => l.Id.Id == 6802 && l.Text.Contains("timed out", StringComparison.Ordinal));
        Assert.Contains(logger.Lines, l => l.Id.Id == 6802 && l.Text.Contains("HTTP 429", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Text.Contains(FakeBillingEndpoint.ApiKey, StringComparison.Ordinal));
        Assert.Equal(0L, await RejectionsAsync("test-" + tenant));
    }

    [Theory]
    [InlineData("stripe", false)]
    [InlineData("lago", false)]
    [InlineData("lago", true)]
    [InlineData("openmeter", false)]
    public async Task Restart_CursorReset_SendsTheSameIdsAndTheTargetKeepsOnePerEvent(string target, bool lagoRefusesKnownIds)
    {
        _fake.LagoRefusesKnownIds = lagoRefusesKnownIds;
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 20);
        await RunUntilAsync(Options(target, tenant), () => DeliveredAsync(tenant, 20));
        var first = _fake.Received.ToList();

        await using (var reset = _postgres.CreateCommand("DELETE FROM export_cursors WHERE name = $1"))
        {
            reset.Parameters.AddWithValue("test-" + tenant);
            Assert.Equal(1, await reset.ExecuteNonQueryAsync());
        }

        await RunUntilAsync(Options(target, tenant), async () =>
        {
            await _fake.WaitForReceivedAsync(40);
            await WaitForAsync(() => ExportedAsync("test-" + tenant), 20); // the duplicates count as delivered
        });

        Assert.Equal(events.Select(e => e.EventId.ToString("D")).Order(), first.Order());
        Assert.Equal(first.Order(), _fake.Received.Skip(20).Order());
        Assert.Equal(20, _fake.Stored.Count);
        Assert.Equal(0L, await RejectionsAsync("test-" + tenant));
    }

    [Fact]
    public async Task Restart_WithCursor_ResumesAfterTheLastEventSent()
    {
        var tenant = TestServices.NewTenantId();
        await StoreAsync(tenant, 15);
        await RunUntilAsync(Options(ExportTarget.OpenMeter, tenant), () => DeliveredAsync(tenant, 15));

        var later = await StoreAsync(tenant, 10);
        await RunUntilAsync(Options(ExportTarget.OpenMeter, tenant), () => DeliveredAsync(tenant, 25));

        Assert.Equal(25, _fake.Received.Count); // nothing sent twice
        Assert.Equal(later.Select(e => e.EventId.ToString("D")).Order(), _fake.Received.Skip(15).Order());
        Assert.Equal(25L, await ExportedAsync("test-" + tenant));
    }

    [Theory]
    [InlineData("stripe", 400)]
    [InlineData("lago", 422)]
    [InlineData("openmeter", 400)]
    public async Task RefusedEvent_RecordedAndLogged_NeighboursStillDelivered(string target, int status)
    {
        var tenant = TestServices.NewTenantId();
        var events = await StoreAsync(tenant, 10);
        _fake.Refuse[events[3].EventId.ToString("D")] = status;
        var logger = new ListLogger<ExportService>();

        await RunUntilAsync(Options(target, tenant), () => WaitForAsync(() => ExportedAsync("test-" + tenant), 10), logger);

        Assert.Equal(events.Where((_, i) => i != 3).Select(e => e.EventId.ToString("D")).Order(), _fake.Stored.Keys.Order());
        await using var command = _postgres.CreateCommand("SELECT event_id, tenant_id, occurred_at, http_status, reason FROM export_rejections WHERE cursor_name = $1");
        command.Parameters.AddWithValue("test-" + tenant);
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(events[3].EventId, row.GetGuid(0));
        Assert.Equal(tenant, row.GetString(1));
        Assert.Equal(events[3].OccurredAt, new DateTimeOffset(row.GetDateTime(2)));
        Assert.Equal(status, row.GetInt32(3));
        Assert.NotEmpty(row.GetString(4));
        Assert.False(await row.ReadAsync());
        Assert.Contains(logger.Lines, l => l.Id.Id == 6803 && l.Level == LogLevel.Error && l.Text.Contains(events[3].EventId.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoExporters_SameCursor_OnlyTheLeaseHolderSends()
    {
        var tenant = TestServices.NewTenantId();
        await StoreAsync(tenant, 30);
        using var first = new ExportService(_postgres, Options(ExportTarget.OpenMeter, tenant), TimeProvider.System, NullLogger<ExportService>.Instance);
        using var second = new ExportService(_postgres, Options(ExportTarget.OpenMeter, tenant), TimeProvider.System, NullLogger<ExportService>.Instance);

        await Task.WhenAll(first.StartAsync(CancellationToken.None), second.StartAsync(CancellationToken.None));
        await _fake.WaitForStoredAsync(30);
        await Task.Delay(300);
        await Task.WhenAll(first.StopAsync(CancellationToken.None), second.StopAsync(CancellationToken.None));

        Assert.Equal(30, _fake.Received.Count);
    }

    [Fact]
    public async Task WriteStillOpen_EventsWrittenAfterItBegan_WaitUntilItCommits()
    {
        var tenant = TestServices.NewTenantId();
        var before = await StoreAsync(tenant, 1);
        await using var open = await _postgres.OpenConnectionAsync();
        await using var transaction = await open.BeginTransactionAsync();
        await using (var write = new NpgsqlCommand("INSERT INTO metering_events SELECT * FROM metering_events WHERE false", open, transaction))
        {
            await write.ExecuteNonQueryAsync(); // holds RowExclusiveLock on metering_events, like a flusher mid-batch
        }

        await Task.Delay(20);
        var after = await StoreAsync(tenant, 5); // committed, but recorded after the open write began
        await RunUntilAsync(Options(ExportTarget.OpenMeter, tenant), async () =>
        {
            await _fake.WaitForStoredAsync(1); // a round has read past the open write's start...
            await Task.Delay(300);
        });
        Assert.Equal([before[0].EventId.ToString("D")], _fake.Received); // ...and stopped there

        await transaction.CommitAsync();
        await RunUntilAsync(Options(ExportTarget.OpenMeter, tenant), () => _fake.WaitForStoredAsync(6));
        Assert.Equal(after.Select(e => e.EventId.ToString("D")).Order(), _fake.Received.Skip(1).Order());
    }

    private ExportOptions Options(string target, string tenant, Action<ExportOptions>? change = null)
        => Options(Enum.Parse<ExportTarget>(target, ignoreCase: true), tenant, change);

    private ExportOptions Options(ExportTarget target, string tenant, Action<ExportOptions>? change = null)
    {
        var options = new ExportOptions
        {
            Target = target,
            Endpoint = _fake.BaseUrl,
            ApiKey = FakeBillingEndpoint.ApiKey,
            BatchSize = 7,
            Interval = TimeSpan.FromMilliseconds(50),
            Lag = TimeSpan.Zero,
            Timeout = TimeSpan.FromSeconds(5),
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            Cursor = "test-" + tenant,
            Tenants = [tenant],
            Customers = { [tenant] = "cus_" + tenant },
        };
        change?.Invoke(options);
        var validation = new ExportOptionsValidator().Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return options;
    }

    private async Task<List<MeteringEvent>> StoreAsync(string tenant, int count)
    {
        var events = ExportTestEvents.Make(tenant, count, DateTimeOffset.UtcNow.AddMinutes(-count), TimeSpan.FromSeconds(30));
        await new PostgresEventWriter(_postgres).WriteAsync(events, CancellationToken.None);
        return events;
    }

    private async Task RunUntilAsync(ExportOptions options, Func<Task> until, ILogger<ExportService>? logger = null)
    {
        using var service = new ExportService(_postgres, options, TimeProvider.System, logger ?? NullLogger<ExportService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await until();
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Stored at the target and the cursor moved past them (the target answers before the cursor moves).</summary>
    private async Task DeliveredAsync(string tenant, int count)
    {
        await _fake.WaitForStoredAsync(count);
        await WaitForAsync(() => ExportedAsync("test-" + tenant), count);
    }

    private async Task<long> ExportedAsync(string cursor)
    {
        await using var command = _postgres.CreateCommand("SELECT coalesce((SELECT exported FROM export_cursors WHERE name = $1), 0)");
        command.Parameters.AddWithValue(cursor);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> RejectionsAsync(string cursor)
    {
        await using var command = _postgres.CreateCommand("SELECT count(*) FROM export_rejections WHERE cursor_name = $1");
        command.Parameters.AddWithValue(cursor);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitForAsync(Func<Task<long>> probe, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await probe() != expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(expected, await probe());
    }

    private static void AssertProperties(MeteringEvent e, JsonElement properties)
    {
        Assert.Equal(e.TenantId, properties.GetProperty("tenant_id").GetString());
        Assert.Equal(e.Provider, properties.GetProperty("provider").GetString());
        Assert.Equal(e.Model, properties.TryGetProperty("model", out var model) ? model.GetString() : null);
        Assert.Equal(e.Billable, properties.GetProperty("billable").GetBoolean());
        Assert.Equal(e.CostMicros, properties.GetProperty("cost_micros").GetInt64());
        Assert.Equal(e.InputTokens, properties.GetProperty("input_tokens").GetInt64());
        Assert.Equal(e.OutputTokens, properties.GetProperty("output_tokens").GetInt64());
        Assert.Equal(e.CachedInputTokens, properties.GetProperty("cached_input_tokens").GetInt64());
        Assert.Equal(e.ReasoningTokens, properties.GetProperty("reasoning_tokens").GetInt64());
        Assert.Equal(e.CacheWrite1hTokens, properties.GetProperty("cache_write_1h_tokens").GetInt64());
        Assert.Equal(1, properties.GetProperty("requests").GetInt64());
    }
}
