using System.Globalization;
using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>
/// Stripe Billing meter events (https://docs.stripe.com/api/billing/meter-event/create): one form-encoded
/// <c>POST /v1/billing/meter_events</c> per event and meter, with <c>event_name</c>, <c>timestamp</c> (Unix seconds),
/// <c>identifier</c> and <c>payload[stripe_customer_id]</c> / <c>payload[value]</c> (keys configurable). The identifier
/// is the event_id (with one meter; <c>event_id:event_name</c> with several); Stripe refuses an identifier it has seen
/// in the last 24 h or more with a 400 "already exists", which means delivered.
/// </summary>
internal sealed class StripeSender(HttpClient http, ExportOptions options) : IExportSender
{
    public const string Path = "v1/billing/meter_events";

    public async Task<SendResult> SendAsync(IReadOnlyList<MeteringEvent> batch, CancellationToken cancellationToken)
    {
        var meters = options.Stripe.MetersOrDefault.ToArray();
        var calls = batch.SelectMany(e => meters.Select(m => (Event: e, EventName: m.Key, Value: m.Value))).ToArray();
        var answers = new ExportResponse?[calls.Length];
        var failing = false;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, calls.Length),
            new ParallelOptions { MaxDegreeOfParallelism = options.Stripe.Concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                if (Volatile.Read(ref failing))
                {
                    return; // the target is failing: the rest waits for the retry of the whole batch
                }

                var (e, eventName, value) = calls[i];
                using var request = new HttpRequestMessage(HttpMethod.Post, Path)
                {
                    Content = new FormUrlEncodedContent(Form(e, eventName, value, meters.Length > 1)),
                };
                var answer = await ExportResponse.SendAsync(http, request, token);
                answers[i] = answer;
                if (answer.Delivery == Delivery.Retry)
                {
                    Volatile.Write(ref failing, true);
                }
            });

        if (answers.FirstOrDefault(a => a?.Delivery == Delivery.Retry) is { } failure)
        {
            return SendResult.Failed(failure with { RetryAfter = answers.Max(a => a?.RetryAfter) });
        }

        var rejected = new List<ExportRejection>();
        for (var i = 0; i < calls.Length; i++)
        {
            if (answers[i] is { Delivery: Delivery.Rejected } answer && !IsDuplicate(answer) && !rejected.Any(r => ReferenceEquals(r.Event, calls[i].Event)))
            {
                rejected.Add(new ExportRejection(calls[i].Event, answer.Status, $"{calls[i].EventName}: {answer.Reason}"));
            }
        }

        return new SendResult(rejected);
    }

    private IEnumerable<KeyValuePair<string, string>> Form(MeteringEvent e, string eventName, string value, bool severalMeters)
    {
        yield return new("event_name", eventName);
        yield return new("timestamp", e.OccurredAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        yield return new("identifier", severalMeters ? $"{e.EventId:D}:{eventName}" : e.EventId.ToString("D"));
        yield return new($"payload[{options.Stripe.CustomerPayloadKey}]", options.CustomerOf(e.TenantId));
        yield return new($"payload[{options.Stripe.ValuePayloadKey}]", EventValues.Get(e, value).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Stripe's answer to an identifier it already holds: "An event already exists with identifier …".</summary>
    private static bool IsDuplicate(ExportResponse answer)
        => answer.Status == 400 && answer.Reason.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}
