using System.Text.Json;
using Gateway.Capture;
using Gateway.Errors;
using Gateway.Metering.Events;
using Gateway.Metering.Quotas;
using Gateway.Metering.Rating;
using Gateway.Metering.Requests;
using Gateway.Metering.Tenants;
using Gateway.Metering.Usage;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Admission;

/// <summary>
/// Before a request is forwarded: price it by the requested model, compute the worst-case hold (estimated input at
/// the dearest input price plus the maximum output at the dearest output price) and run the one admission script.
/// </summary>
internal sealed partial class AdmissionGate(
    PriceBook prices,
    TokenEstimator estimator,
    WalletStore wallets,
    WalletRebuilder rebuilder,
    EventFactory events,
    TimeProvider time,
    IOptions<AdmissionOptions> options,
    ILogger<AdmissionGate> logger,
    Metering.Telemetry.MeteringMetrics metrics)
{
    private readonly AdmissionOptions _options = options.Value;

    public async Task<AdmissionDecision> AdmitAsync(RequestContext request, CancellationToken cancellationToken)
    {
        var identity = request.Identity;
        var facts = request.Facts;
        var api = request.Api;
        var body = request.Body;
        var holdId = request.EventId.ToString();
        if (!_options.Enabled || api == ApiKind.Models)
        {
            return AdmissionDecision.Off;
        }

        var model = facts.Model!;
        ModelPrice price;
        var markup = 0;
        if (prices.Find(identity.TenantId, model) is { } resolved)
        {
            (price, markup) = resolved;
        }
        else if (_options.AllowUnpricedModels)
        {
            price = ModelPrice.Free(model);
        }
        else
        {
            return AdmissionDecision.Refuse(GatewayError.ModelNotPriced(model));
        }

        var input = estimator.CountInput(model, body.Span);
        var reservedInput = (long)Math.Ceiling(input * _options.InputEstimateMargin);
        var maxOutput = api == ApiKind.Embeddings ? 0
            : facts.MaxOutputTokens ?? (_options.MaxOutputTokens.TryGetValue(model, out var perModel) ? perModel : _options.DefaultMaxOutputTokens);
        var hold = Rater.HoldMicros(reservedInput, maxOutput, price, markup);
        var now = time.GetUtcNow();
        // The abandoned event is priced at the month's tokens before this request as last seen; tiers are exact again
        // at the next re-rating (and at the period's close).
        var abandoned = PooledEventJson.Write(events.Abandoned(request, input, price, markup));

        AdmissionResult result;
        try
        {
            result = await wallets.AdmitAsync(identity.TenantId, holdId, hold, reservedInput + maxOutput, now, _options.HoldTtl, _options.MaxEventBacklog, abandoned.Json, model);
            if (result.Outcome == AdmissionOutcome.NoWallet)
            {
                await rebuilder.EnsureAsync(identity.TenantId, cancellationToken);
                result = await wallets.AdmitAsync(identity.TenantId, holdId, hold, reservedInput + maxOutput, now, _options.HoldTtl, _options.MaxEventBacklog, abandoned.Json, model);
            }

            abandoned.Dispose(); // Redis answered: the buffer is no longer read (on a failure it is left to the GC)
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or Npgsql.NpgsqlException)
        {
            AdmissionUnavailable(logger, ex);
            if (ex is Npgsql.NpgsqlException)
            {
                metrics.PostgresError(); // rebuilding a wallet from the ledger
            }
            else
            {
                metrics.RedisError();
            }

            return _options.FailOpen || _options.FailOpenTenants.Contains(identity.TenantId, StringComparer.Ordinal)
                ? new AdmissionDecision(AdmissionVerdict.Bypassed, Price: price, InputEstimate: input, AdmittedAt: now, MarkupBp: markup)
                : AdmissionDecision.Refuse(GatewayError.MeteringUnavailable());
        }

        return result.Outcome switch
        {
            AdmissionOutcome.Admitted => new AdmissionDecision(AdmissionVerdict.Admitted, null, price, hold, reservedInput + maxOutput, input, now, result, markup, result.MonthTokens),
            AdmissionOutcome.InsufficientBalance => AdmissionDecision.Refuse(GatewayError.InsufficientBalance(hold, result.AvailableMicros)),
            AdmissionOutcome.WindowFull => AdmissionDecision.Refuse(GatewayError.RateLimited(result.Window, QuotaWindow.At(now).Left(result.Window))),
            AdmissionOutcome.TenantInactive => AdmissionDecision.Refuse(GatewayError.TenantInactive()),
            AdmissionOutcome.Backlogged => AdmissionDecision.Refuse(GatewayError.MeteringBacklog()),
            _ => AdmissionDecision.Refuse(GatewayError.MeteringUnavailable()),
        };
    }

    [LoggerMessage(2000, LogLevel.Warning, "Admission could not reach its store")]
    private static partial void AdmissionUnavailable(ILogger logger, Exception exception);
}
