using System.Buffers;
using System.Text.Json;
using Gateway.Admission;
using Gateway.Auth;
using Gateway.Capture;
using Gateway.Errors;
using Gateway.Metering.Events;
using Gateway.Metering.Rating;
using Gateway.Metering.Requests;
using Gateway.Metering.Sink;
using Gateway.Metering.Tenants;
using Gateway.Metering.Usage;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Proxy;

/// <summary>
/// The way of a metered request: authenticate the virtual key, read and check the body, admit it against the wallet
/// and quotas (one Redis script), forward with YARP while the capture watches the answer, then settle: one script
/// debits the actual cost, releases the hold and appends the one event, from a <c>finally</c>, whatever happened.
/// </summary>
internal sealed class ProxyHandler(
    VirtualKeyAuthenticator authenticator,
    AdmissionGate admission,
    Metering.Rating.PriceBook prices,
    IOptions<AdmissionOptions> admissionOptions,
    UpstreamSelector upstreams,
    IHttpForwarder forwarder,
    UpstreamClient client,
    EventIds eventIds,
    EventFactory events,
    WalletStore wallets,
    SettleTracker settles,
    IEventSink fallbackSink,
    TimeProvider time,
    IOptions<ProxyOptions> options,
    TenantStreamLimiter streams,
    ResponseHeaderPolicy responseHeaders,
    IOptions<MeteringOptions> metering,
    UnmeteredForwarder unmetered,
    ILogger<ProxyHandler> logger,
    Telemetry.GatewayTelemetry telemetry,
    Memory.ProxyTraffic traffic)
{
    private readonly ProxyOptions _options = options.Value;
    private readonly bool _metered = metering.Value.Enabled;
    private readonly ForwarderRequestConfig _requestConfig = new() { ActivityTimeout = options.Value.UpstreamTimeout };
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Upstream, ProviderTransformer> _transformers = new();

    public async Task HandleAsync(HttpContext context, ApiKind api)
    {
        var startedAt = time.GetTimestamp();
        traffic.Arrived();
        var (identity, authError) = await authenticator.AuthenticateAsync(context.Request);
        if (identity is null)
        {
            telemetry.Refused(authError!, null);
            await OpenAiErrorWriter.WriteAsync(context, authError!);
            return;
        }

        if (api == ApiKind.Models && admissionOptions.Value is { Enabled: true, AllowUnpricedModels: false })
        {
            await ModelList.WriteAsync(context, prices, time); // what this tenant can use: the priced models
            return;
        }

        if (HasControlCharacter(context.Request.Path.Value))
        {
            // The path becomes the event's endpoint (and a Gemini or Azure model); Postgres text refuses NUL.
            await OpenAiErrorWriter.WriteAsync(context, GatewayError.InvalidPath());
            return;
        }

        byte[]? pooled = null;
        var length = 0;
        var streamSlot = false;
        try
        {
            var facts = new RequestFacts();
            if (HttpMethods.IsPost(context.Request.Method))
            {
                GatewayError? bodyError;
                (pooled, length, bodyError) = await RequestBodyReader.ReadAsync(context.Request, _options.MaxRequestBodySize, context.RequestAborted);
                if (bodyError is not null)
                {
                    await OpenAiErrorWriter.WriteAsync(context, bodyError);
                    return;
                }

                var inspected = RequestInspector.Inspect(pooled.AsSpan(0, length), out var invalid);
                if (inspected is null)
                {
                    await OpenAiErrorWriter.WriteAsync(context, GatewayError.InvalidJson(invalid!));
                    return;
                }

                if (api == ApiKind.GeminiGenerateContent)
                {
                    inspected = GeminiTarget.Apply(context, inspected); // model and streaming come from the path
                }
                else if (string.IsNullOrEmpty(inspected.Model) && context.GetRouteValue("deployment") is string deployment)
                {
                    inspected = inspected.WithModel(deployment); // Azure: the deployment names the model
                }

                if (string.IsNullOrEmpty(inspected.Model))
                {
                    await OpenAiErrorWriter.WriteAsync(context, GatewayError.InvalidRequest("You must provide a model parameter.", "model"));
                    return;
                }

                facts = inspected;
            }

            var upstream = upstreams.For(api, facts.Model, azure: context.Request.Path.StartsWithSegments("/openai"));
            if (upstream is null)
            {
                await OpenAiErrorWriter.WriteAsync(context, GatewayError.NoProvider(api.ToString()));
                return;
            }

            if (facts.Stream)
            {
                streamSlot = streams.TryAcquire(identity.TenantId);
                if (!streamSlot)
                {
                    var tooMany = GatewayError.TooManyStreams(_options.MaxConcurrentStreamsPerTenant);
                    telemetry.Refused(tooMany, identity.TenantId);
                    await OpenAiErrorWriter.WriteAsync(context, tooMany);
                    return;
                }
            }

            if (!_metered)
            {
                await unmetered.ForwardAsync(context, upstream, pooled, length); // Metering:Enabled=false
                return;
            }

            var request = NewRequest(context, api, identity, facts, upstream, pooled is null ? ReadOnlyMemory<byte>.Empty : pooled.AsMemory(0, length));
            var decision = await admission.AdmitAsync(request, context.RequestAborted);
            if (decision.Verdict == AdmissionVerdict.Refused)
            {
                telemetry.Refused(decision.Error!, identity.TenantId);
                await OpenAiErrorWriter.WriteAsync(context, decision.Error!);
                return;
            }

            await ForwardAsync(context, request, upstream, pooled, length, decision, startedAt);
        }
        finally
        {
            if (streamSlot)
            {
                streams.Release(identity.TenantId); // completed, refused, cut, failed or left: always
            }

            if (pooled is not null)
            {
                ArrayPool<byte>.Shared.Return(pooled);
            }
        }
    }

    private static bool HasControlCharacter(string? path) => path is not null && path.AsSpan().ContainsAnyInRange('\u0000', '\u001f');

    private RequestContext NewRequest(HttpContext context, ApiKind api, KeyIdentity identity, RequestFacts facts, Upstream upstream, ReadOnlyMemory<byte> body) => new()
    {
        EventId = eventIds.Next(),
        OccurredAt = time.GetUtcNow(),
        Identity = identity,
        Api = api,
        Endpoint = context.Request.Path.Value ?? string.Empty,
        Provider = upstream.Name,
        Facts = facts,
        Body = body,
        Feature = Header(context, "X-Meter-Feature"),
        Environment = Header(context, "X-Meter-Environment"),
        TraceId = Header(context, "X-Meter-Trace-Id"),
        Metadata = MeterMetadata.From(context.Request.Headers),
    };

    private async Task ForwardAsync(HttpContext context, RequestContext request, Upstream upstream, byte[]? body, int length, AdmissionDecision decision, long startedAt)
    {
        var api = request.Api;
        var facts = request.Facts;
        var eventId = request.EventId;
        using var activity = telemetry.StartRequest(request, upstream.Kind);
        var inject = facts.Stream && !facts.IncludeUsage && upstream.AcceptsStreamOptions && api is ApiKind.ChatCompletions or ApiKind.Completions;
        // What goes upstream: the pooled body itself (it outlives the forward), or the rewrite that asks for usage.
        var (sent, sentLength) = body is null ? ([], 0)
            : inject ? Whole(StreamOptionsInjector.Inject(body, length, facts)) : (body, length);
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(sent, 0, sentLength, writable: false);
            context.Request.ContentLength = sentLength;
            context.Request.Headers.TransferEncoding = default;
        }

        context.Response.Headers["X-Request-Id"] = eventId.ToString();
        context.Items[typeof(AdmissionDecision)] = decision;

        var originalBody = context.Response.Body;
        var drain = _options.Drains(request.Identity.TenantId);
        var capture = new CaptureStream(originalBody, context.Response, api, inject, time, startedAt, drain, events.Estimator, facts.Model);
        context.Response.Body = capture;
        var error = ForwarderError.None;
        using var drainLimit = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var clientLeft = drain ? RedirectAbort(context, capture, drainLimit) : default;
        try
        {
            while (true)
            {
                var attemptStarted = time.GetTimestamp();
                context.Items.Remove(ProviderTransformer.FailedAttemptKey);
                var transformer = _transformers.GetOrAdd(upstream, u => new ProviderTransformer(u, responseHeaders));
                error = await forwarder.SendAsync(context, upstream.BaseUrl, client.Invoker, _requestConfig, transformer);
                if (error != ForwarderError.None)
                {
                    logger.ForwardFailed(eventId, upstream.Name, error, context.GetForwarderErrorFeature()?.Exception);
                }

                // A fallback is tried only while nothing has reached the client: a 429/5xx the transformer held back,
                // or an upstream that could not be reached or timed out before answering.
                var failedStatus = context.Items[ProviderTransformer.FailedAttemptKey] as int?
                    ?? (error is ForwarderError.Request or ForwarderError.RequestTimedOut ? context.Response.StatusCode : null);
                if (failedStatus is null || context.Response.HasStarted || upstreams.Named(upstream.FallbackTo) is not { } next)
                {
                    break;
                }

                request.Attempts.Add(new ProviderAttempt(upstream.Name, failedStatus.Value, Ms(time.GetElapsedTime(attemptStarted))));
                logger.FallingBack(eventId, upstream.Name, failedStatus.Value, next.Name);
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Request.Body = new MemoryStream(sent, 0, sentLength, writable: false);
                request.Provider = next.Name;
                upstream = next;
                error = ForwarderError.None;
            }
        }
        finally
        {
            // In YARP's terms the "destination" is the upstream. After an upstream failure YARP aborts the client
            // connection itself, so RequestAborted alone cannot tell who left: the error kind does.
            var clientGone = capture.ClientLeft || error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
                or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient;
            var result = await capture.CompleteAsync(clientGone);
            context.Response.Body = originalBody;
            if (error != ForwarderError.None && !clientGone && !context.Response.HasStarted)
            {
                // YARP set 502/504 but wrote no body: say what happened, in the API's own error shape.
                await OpenAiErrorWriter.WriteAsync(context, error == ForwarderError.RequestTimedOut
                    ? GatewayError.UpstreamTimeout(upstream.Name)
                    : GatewayError.UpstreamUnavailable(upstream.Name));
            }

            var outcome = new RequestOutcome(
                HttpStatus: context.Response.StatusCode,
                ClientGone: clientGone,
                UpstreamFailed: error != ForwarderError.None && !clientGone && !capture.ClientLeft,
                UpstreamAnswered: error == ForwarderError.None || context.Response.HasStarted,
                Streamed: capture.Streamed,
                Capture: result,
                LatencyMs: Ms(time.GetElapsedTime(startedAt)),
                TtftMs: capture.FirstByteAt is { } first ? Ms(time.GetElapsedTime(startedAt, first)) : null);
            if (api != ApiKind.Models)
            {
                await CompleteResponseAsync(context, clientGone); // the client does not wait for the settle
                await SettleAsync(request, outcome, decision, activity); // listing models uses no tokens: not metered
            }

            await capture.DisposeAsync();
        }
    }

    /// <summary>
    /// Debits and records in one script, off the request (the response is already complete); if Redis fails, the
    /// event still goes to Postgres by the in-process queue (the wallet then lags the ledger until reconciled).
    /// </summary>
    private async Task SettleAsync(RequestContext request, RequestOutcome outcome, AdmissionDecision decision, System.Diagnostics.Activity? activity)
    {
        MeteringEvent meteringEvent;
        try
        {
            meteringEvent = events.Create(request, outcome, decision); // now: it reads the pooled request body
        }
        catch (Exception ex)
        {
            logger.EventNotRecorded(request.EventId, ex); // a bug; never take the client's answer down with it
            return;
        }

        telemetry.Settled(meteringEvent, request.Api, activity);

        if (decision.Verdict != AdmissionVerdict.Admitted)
        {
            await fallbackSink.WriteAsync(meteringEvent);
            return;
        }

        var tenantId = request.Identity.TenantId;
        settles.Run(async () =>
        {
            try
            {
                var json = PooledEventJson.Write(meteringEvent); // UTF-8, as Redis stores it
                var tokenDelta = (meteringEvent.Billable ? meteringEvent.TotalTokens : 0) - decision.ReservedTokens;
                var settled = await wallets.SettleAsync(tenantId, meteringEvent.EventId.ToString(), meteringEvent.CostMicros, tokenDelta, decision.AdmittedAt, json.Json, meteringEvent.Model ?? "", meteringEvent.Billable ? Rater.TierTokens(meteringEvent.Usage) : 0);
                json.Dispose(); // Redis answered: the buffer is no longer read (on a failure it is left to the GC)
                if (settled is null)
                {
                    logger.SettledAfterAbandon(meteringEvent.EventId); // its abandoned event is the record
                }
            }
            catch (Exception ex)
            {
                // Redis failed (or anything unforeseen): the event must still be written, so it goes to Postgres
                // by the in-process queue. If the script did run, the stream copy is deduplicated by event id.
                logger.SettleFailed(meteringEvent.EventId, ex);
                telemetry.Metering.RedisError();
                await fallbackSink.WriteAsync(meteringEvent);
            }
        });
    }

    /// <summary>
    /// Drain policy: YARP cancels the upstream when <see cref="HttpContext.RequestAborted"/> fires, so it gets a token
    /// of ours instead, which fires only <see cref="ProxyOptions.DrainLimit"/> after the client left. Meanwhile the
    /// capture reads the upstream to its end (its final usage) and discards the bytes.
    /// </summary>
    private CancellationTokenRegistration RedirectAbort(HttpContext context, CaptureStream capture, CancellationTokenSource drainLimit)
    {
        var clientAborted = context.RequestAborted;
        context.RequestAborted = drainLimit.Token;
        return clientAborted.Register(() =>
        {
            capture.OnClientLeft();
            drainLimit.CancelAfter(_options.DrainLimit);
        });
    }

    private static async Task CompleteResponseAsync(HttpContext context, bool clientGone)
    {
        if (clientGone || !context.Response.HasStarted || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await context.Response.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client left at the last moment; the event is recorded all the same.
        }
    }

    private static (byte[], int) Whole(byte[] bytes) => (bytes, bytes.Length);

    private static int Ms(TimeSpan elapsed) => (int)Math.Min(int.MaxValue, Math.Round(elapsed.TotalMilliseconds));

    private static string? Header(HttpContext context, string name)
    {
        var value = context.Request.Headers[name];
        return value.Count == 0 ? null : MeterMetadata.Bound(value[0]);
    }
}
