using Gateway.Admission;
using Gateway.Metering.Events;
using Gateway.Metering.Rating;
using Gateway.Metering.Requests;
using Gateway.Metering.Usage;

namespace Gateway.Capture;

/// <summary>
/// Makes the one event of a request from what was known before forwarding and how it ended. A usage block the
/// provider sent always wins, even when it says zero; without one, an answered request is estimated with the
/// tokenizer (input from the request, output from the text that reached the client) and flagged; an error answer
/// without usage is recorded as not billable.
/// </summary>
internal sealed class EventFactory(TokenEstimator estimator)
{
    /// <summary>The tokenizer estimates are made with (also the capture's, counting long answers as they pass).</summary>
    public TokenEstimator Estimator => estimator;

    public MeteringEvent Create(RequestContext request, RequestOutcome outcome, AdmissionDecision decision)
    {
        var capture = outcome.Capture;
        var status = outcome.ClientGone ? EventStatus.ClientCancelled
            : outcome.UpstreamFailed || outcome.HttpStatus >= 400 || capture is null || capture.ErrorSeen
                || (outcome.Streamed && !capture.Finished) ? EventStatus.UpstreamError
            : EventStatus.Completed;

        TokenUsage usage;
        UsageSource source;
        bool billable;
        if (capture?.Usage is { } partial && capture.UsagePartial)
        {
            // The provider's input counts stand; its output count was provisional: estimate from what was delivered.
            var delivered = Estimate(request, capture, decision.InputEstimate).Output;
            usage = (partial with { Output = Math.Max(partial.Output, delivered), Reasoning = 0 }).Normalized();
            (source, billable) = (UsageSource.Estimated, true);
        }
        else if (capture?.Usage is { } reported)
        {
            (usage, source, billable) = (reported, UsageSource.Provider, true);
        }
        else if ((!outcome.UpstreamAnswered && !outcome.ClientGone) || outcome.HttpStatus >= 400)
        {
            // Never reached a model (connection refused, 4xx/5xx answer): nothing to bill.
            (usage, source, billable) = (TokenUsage.Zero, UsageSource.None, false);
        }
        else
        {
            (usage, source, billable) = (Estimate(request, capture, decision.InputEstimate), UsageSource.Estimated, true);
        }

        return Of(request) with
        {
            ServedModel = capture?.ServedModel,
            Streamed = outcome.Streamed,
            Status = status,
            HttpStatus = outcome.HttpStatus,
            Billable = billable,
            InputTokens = usage.Input,
            OutputTokens = usage.Output,
            CachedInputTokens = usage.CachedInput,
            CacheWriteTokens = usage.CacheWrite,
            ReasoningTokens = usage.Reasoning,
            AudioInputTokens = usage.AudioInput,
            AudioOutputTokens = usage.AudioOutput,
            TotalTokens = usage.Total,
            CacheWrite1hTokens = usage.CacheWrite1h,
            ServerToolRequests = usage.ServerToolRequests,
            UsageSource = source switch
            {
                UsageSource.Provider => "provider",
                UsageSource.Estimated => "estimated",
                _ => "none",
            },
            LatencyMs = outcome.LatencyMs,
            TtftMs = outcome.TtftMs,
            RawUsage = capture?.RawUsage,
            Attempts = request.Attempts.Count > 0 ? request.Attempts.ToArray() : null,
            CostMicros = billable && decision.Price is { } price ? Rater.Rate(usage, price, decision.TierPosition, decision.MarkupBp) : 0,
            PriceVersion = decision.Price is { Version: > 0 } priced ? priced.Version : null,
            PriceId = decision.Price is { Id: > 0 } rated ? rated.Id : null,
            TierPosition = decision.Price is { Id: > 0 } ? decision.TierPosition : null,
            MarkupBp = decision.Price is { Id: > 0 } ? decision.MarkupBp : null,
            Admission = decision.EventLabel,
        };
    }

    /// <summary>
    /// The event recorded if this request's hold expires unsettled (its gateway died): the input estimate, billed at
    /// the input price, no output. Prepared at admission, stored with the hold, same event id as the real event.
    /// </summary>
    public MeteringEvent Abandoned(RequestContext request, long inputEstimate, ModelPrice price, int markupBp = 0, long tierPosition = 0)
    {
        var usage = new TokenUsage(inputEstimate, 0).Normalized();
        return Of(request) with
        {
            Streamed = request.Facts.Stream,
            Status = EventStatus.Abandoned,
            HttpStatus = 0,
            Billable = true,
            InputTokens = usage.Input,
            TotalTokens = usage.Total,
            UsageSource = "estimated",
            CostMicros = Rater.Rate(usage, price, tierPosition, markupBp),
            PriceVersion = price.Version > 0 ? price.Version : null,
            PriceId = price.Id > 0 ? price.Id : null,
            TierPosition = price.Id > 0 ? tierPosition : null,
            MarkupBp = price.Id > 0 ? markupBp : null,
            Admission = "checked",
        };
    }

    /// <summary>What any event of this request says of the request itself: who, where, what, and its metering headers.</summary>
    private static MeteringEvent Of(RequestContext request) => new()
    {
        EventId = request.EventId,
        OccurredAt = request.OccurredAt,
        TenantId = request.Identity.TenantId,
        KeyId = request.Identity.KeyId,
        Provider = request.Provider,
        Endpoint = request.Endpoint,
        Model = request.Facts.Model,
        Status = EventStatus.Completed,
        UsageSource = "none",
        Feature = request.Feature,
        Environment = request.Environment,
        EndUser = request.Facts.User,
        TraceId = request.TraceId,
        Metadata = request.Metadata,
    };

    private TokenUsage Estimate(RequestContext request, CaptureResult? capture, long inputEstimate)
    {
        var input = inputEstimate;
        if (input == 0)
        {
            input = estimator.CountInput(request.Facts.Model, request.Body.Span); // admission was off: count now
        }

        long output = 0;
        if (capture is not null && request.Api != ApiKind.Embeddings)
        {
            output = capture.DeliveredText.EstimateTokens(estimator, request.Facts.Model);
        }

        return new TokenUsage(input, output).Normalized();
    }
}
