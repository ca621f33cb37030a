using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// Stripe, Lago and OpenMeter stand-ins on Kestrel (127.0.0.1, port 0), each keeping one record per event id as the
/// real ones do: Stripe answers 400 "already exists" to a known identifier, Lago and OpenMeter accept it and keep the
/// first (or, with <see cref="LagoRefusesKnownIds"/>, Lago refuses the whole batch with 422 value_already_exist, as
/// versions before 1.2x did). Every event received, duplicates included, is kept in <see cref="Received"/>.
/// Failures on demand: the next calls answer a status or hang; chosen ids are refused.
/// </summary>
internal sealed class FakeBillingEndpoint : IAsyncDisposable
{
    public const string ApiKey = "sk_test_fake_export_secret_51Hx";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter, TimeSpan Hang)> _failures = new();
    private readonly object _store = new();

    private FakeBillingEndpoint(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every event in every call that was answered 2xx or as a duplicate, in arrival order, duplicates included.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    /// <summary>One record per event id: the first one stored.</summary>
    public ConcurrentDictionary<string, Record> Stored { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call: path, content type, Authorization header, events in it, status answered.</summary>
    public ConcurrentQueue<Call> Calls { get; } = new();

    /// <summary>Ids refused with this status (400 for Stripe, 422 for Lago, 400 for OpenMeter).</summary>
    public ConcurrentDictionary<string, int> Refuse { get; } = new(StringComparer.Ordinal);

    public bool LagoRefusesKnownIds { get; set; }

    public static async Task<FakeBillingEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeBillingEndpoint(app);
        app.MapPost("/v1/billing/meter_events", (Delegate)fake.StripeAsync);
        app.MapPost("/api/v1/events/batch", (Delegate)fake.LagoAsync);
        app.MapPost("/api/v1/events", (Delegate)fake.OpenMeterAsync);
        await app.StartAsync();
        fake.BaseUrl = app.Urls.First();
        return fake;
    }

    /// <summary>The next <paramref name="count"/> calls answer <paramref name="status"/> (after <paramref name="hang"/>).</summary>
    public void FailNext(int count, int status, TimeSpan? retryAfter = null, TimeSpan hang = default)
    {
        for (var i = 0; i < count; i++)
        {
            _failures.Enqueue((status, retryAfter, hang));
        }
    }

    public async Task WaitForStoredAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Stored.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(count, Stored.Count);
    }

    public async Task WaitForReceivedAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Received.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(Received.Count >= count, $"received {Received.Count} events, expected {count}");
    }

    private async Task<IResult?> FailureAsync(HttpContext context, string path, IReadOnlyList<string> ids)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (_failures.TryDequeue(out var failure))
        {
            await Task.Delay(failure.Hang, context.RequestAborted);
            Calls.Enqueue(new Call(path, context.Request.ContentType ?? "", authorization, ids, failure.Status));
            if (failure.RetryAfter is { } after)
            {
                context.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Results.Json(new { error = new { message = "injected failure" } }, statusCode: failure.Status);
        }

        if (authorization != "Bearer " + ApiKey && path != "openmeter")
        {
            Calls.Enqueue(new Call(path, context.Request.ContentType ?? "", authorization, ids, 401));
            return Results.Json(new { error = new { message = "Invalid API key" } }, statusCode: 401);
        }

        return null;
    }

    private async Task<IResult> StripeAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var id = fields.GetValueOrDefault("identifier", "");
        if (await FailureAsync(context, "stripe", [id]) is { } failed)
        {
            return failed;
        }

        var status = 200;
        IResult answer;
        lock (_store)
        {
            if (Refuse.TryGetValue(id, out var refused))
            {
                status = refused;
                answer = Results.Json(new { error = new { message = "Invalid timestamp: must be within the past 35 calendar days", type = "invalid_request_error" } }, statusCode: refused);
            }
            else if (!Stored.TryAdd(id, new Record(id, JsonSerializer.SerializeToElement(fields), context.Request.ContentType ?? "")))
            {
                status = 400;
                Received.Enqueue(id);
                answer = Results.Json(new { error = new { message = $"An event already exists with identifier {id}.", type = "invalid_request_error" } }, statusCode: 400);
            }
            else
            {
                Received.Enqueue(id);
                answer = Results.Json(new { @object = "billing.meter_event", identifier = id });
            }
        }

        Calls.Enqueue(new Call("stripe", context.Request.ContentType ?? "", context.Request.Headers.Authorization.ToString(), [id], status));
        return answer;
    }

    private async Task<IResult> LagoAsync(HttpContext context)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        var events = body.GetProperty("events").EnumerateArray().ToList();
        var ids = events.Select(e => e.GetProperty("transaction_id").GetString()!).ToList();
        if (await FailureAsync(context, "lago", ids) is { } failed)
        {
            return failed;
        }

        lock (_store)
        {
            var errors = new Dictionary<string, object>();
            for (var i = 0; i < ids.Count; i++)
            {
                if (Refuse.ContainsKey(ids[i]))
                {
                    errors[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new { code = new[] { "metric_not_found" } };
                }
                else if (LagoRefusesKnownIds && Stored.ContainsKey(ids[i]))
                {
                    errors[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new { transaction_id = new[] { "value_already_exist" } };
                }
            }

            if (errors.Count > 0)
            {
                // Lago validates the whole batch and stores none of it when one event is invalid.
                var known = errors.Values.All(e => JsonSerializer.Serialize(e).Contains("value_already_exist", StringComparison.Ordinal));
                if (known && ids.Count == 1)
                {
                    Received.Enqueue(ids[0]);
                }

                Calls.Enqueue(new Call("lago", context.Request.ContentType ?? "", context.Request.Headers.Authorization.ToString(), ids, 422));
                return Results.Json(new { status = 422, error = "Unprocessable Entity", code = "validation_errors", error_details = errors }, statusCode: 422);
            }

            foreach (var (id, e) in ids.Zip(events))
            {
                Received.Enqueue(id);
                Stored.TryAdd(id, new Record(id, e, context.Request.ContentType ?? ""));
            }
        }

        Calls.Enqueue(new Call("lago", context.Request.ContentType ?? "", context.Request.Headers.Authorization.ToString(), ids, 200));
        return Results.Json(new { events = Array.Empty<object>() });
    }

    private async Task<IResult> OpenMeterAsync(HttpContext context)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        var events = body.ValueKind == JsonValueKind.Array ? body.EnumerateArray().ToList() : [body];
        var ids = events.Select(e => e.GetProperty("id").GetString()!).ToList();
        if (await FailureAsync(context, "openmeter", ids) is { } failed)
        {
            return failed;
        }

        lock (_store)
        {
            if (ids.Any(Refuse.ContainsKey))
            {
                Calls.Enqueue(new Call("openmeter", context.Request.ContentType ?? "", context.Request.Headers.Authorization.ToString(), ids, 400));
                return Results.Json(new { type = "about:blank", title = "Bad Request", status = 400, detail = "invalid event" }, statusCode: 400);
            }

            foreach (var (id, e) in ids.Zip(events))
            {
                Received.Enqueue(id);
                Stored.TryAdd(id, new Record(id, e, context.Request.ContentType ?? ""));
            }
        }

        Calls.Enqueue(new Call("openmeter", context.Request.ContentType ?? "", context.Request.Headers.Authorization.ToString(), ids, 204));
        return Results.NoContent();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Record(string Id, JsonElement Body, string ContentType);

    internal sealed record Call(string Target, string ContentType, string Authorization, IReadOnlyList<string> Ids, int Status);
}
