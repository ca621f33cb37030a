using Gateway.Metering.Events;
using Gateway.Metering.Rating;
using Gateway.Metering.Wallets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Gateway.Metering.Alerts;

/// <summary>
/// Decides crossings off the request path, on every gateway: every <c>Alerts:Interval</c> it reads the live balance of
/// each tenant with a balance rule (low balance, auto top-up) from Redis, and every <c>Alerts:SpikeCheckInterval</c>
/// the tokens of each tenant with a spend-spike rule from Postgres. A rule whose condition holds and that is armed
/// fires (disarmed + one webhook in the outbox, one statement, so a crossing seen by several gateways is sent once);
/// a disarmed rule whose condition cleared is armed again. Nothing here touches admission or settlement.
/// </summary>
internal sealed class AlertService(
    AlertCatalog catalog,
    SpendReader spend,
    WalletStore wallets,
    EventIds ids,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertService> logger) : BackgroundService
{
    private const int WalletReadsAtOnce = 256;
    private DateTimeOffset _nextSpikeCheck = DateTimeOffset.MinValue;

    /// <summary>One pass over every rule; returns how many webhooks it queued.</summary>
    public async Task<int> CheckAsync(bool spikes, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var states = await catalog.StatesAsync(cancellationToken);
        var fired = 0;

        var balanceRules = states.Where(s => s.Kind is AlertKind.LowBalance or AlertKind.AutoTopUp).ToList();
        var live = await ReadWalletsAsync(balanceRules.Select(s => s.TenantId).Distinct(StringComparer.Ordinal).ToList(), now);
        foreach (var state in balanceRules)
        {
            if (live.TryGetValue(state.TenantId, out var wallet))
            {
                // The settled balance, not balance − held: a hold would make each request near the threshold a
                // crossing and its settlement a re-arm, and so one auto top-up request per request.
                fired += await DecideAsync(state, wallet.BalanceMicros < state.ThresholdMicros, () => BalancePayload(state, wallet, now), now, cancellationToken);
            }
        }

        if (spikes)
        {
            foreach (var state in states.Where(s => s.Kind == AlertKind.SpendSpike && s.Spike is not null))
            {
                var rule = state.Spike!;
                var (lastMinute, trailing) = await spend.ReadAsync(state.TenantId, now, rule.WindowMinutes, cancellationToken);
                fired += await DecideAsync(state, rule.IsSpike(lastMinute, trailing), () => SpikePayload(state, rule, lastMinute, trailing, now), now, cancellationToken);
            }
        }

        return fired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(settings.Interval, time, stoppingToken);
                var spikes = time.GetUtcNow() >= _nextSpikeCheck;
                if (spikes)
                {
                    _nextSpikeCheck = time.GetUtcNow() + settings.SpikeCheckInterval;
                }

                await CheckAsync(spikes, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or RedisException or TimeoutException)
            {
                logger.CheckFailed(ex);
            }
        }
    }

    private async Task<int> DecideAsync(AlertRuleState state, bool holds, Func<(Guid Id, string Type, string Payload)> payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (holds && state.Armed)
        {
            var (id, type, body) = payload();
            if (await catalog.FireAsync(state, id, type, body, now, cancellationToken))
            {
                logger.Fired(type, state.TenantId, id);
                return 1;
            }
        }
        else if (!holds && !state.Armed && await catalog.RearmAsync(state, now, cancellationToken))
        {
            logger.Rearmed(state.Kind, state.TenantId);
        }

        return 0;
    }

    private async Task<Dictionary<string, LiveWallet>> ReadWalletsAsync(IReadOnlyList<string> tenants, DateTimeOffset now)
    {
        var live = new Dictionary<string, LiveWallet>(StringComparer.Ordinal);
        foreach (var chunk in tenants.Chunk(WalletReadsAtOnce))
        {
            var read = await Task.WhenAll(chunk.Select(t => wallets.ReadAsync(t, now))); // pipelined on one connection
            for (var i = 0; i < chunk.Length; i++)
            {
                if (read[i] is { } wallet)
                {
                    live[chunk[i]] = wallet; // no live wallet (not rebuilt yet after a Redis loss): decided next time
                }
            }
        }

        return live;
    }

    private (Guid, string, string) BalancePayload(AlertRuleState state, LiveWallet wallet, DateTimeOffset now)
    {
        var id = ids.Next();
        if (state.Kind == AlertKind.AutoTopUp)
        {
            // The event id makes the key unique for ever: a credit under it can only ever answer this one request.
            var data = new TopUpRequestedData("top_up_" + id.ToString("N"), Money.ToDecimal(state.AmountMicros), Money.ToDecimal(state.ThresholdMicros),
                Money.ToDecimal(wallet.BalanceMicros), Money.ToDecimal(wallet.HeldMicros), Money.ToDecimal(wallet.AvailableMicros), "USD");
            return (id, WebhookTypes.TopUpRequested, WebhookPayload.Build(id, WebhookTypes.TopUpRequested, now, state.TenantId, data, WebhookJsonContext.Default.TopUpRequestedData));
        }

        var low = new LowBalanceData(Money.ToDecimal(state.ThresholdMicros), Money.ToDecimal(wallet.BalanceMicros),
            Money.ToDecimal(wallet.HeldMicros), Money.ToDecimal(wallet.AvailableMicros), "USD");
        return (id, WebhookTypes.LowBalance, WebhookPayload.Build(id, WebhookTypes.LowBalance, now, state.TenantId, low, WebhookJsonContext.Default.LowBalanceData));
    }

    private (Guid, string, string) SpikePayload(AlertRuleState state, SpendSpikeRule rule, long lastMinute, long trailing, DateTimeOffset now)
    {
        var id = ids.Next();
        var data = new SpendSpikeData(lastMinute, rule.TrailingAverage(trailing), rule.Multiple, rule.WindowMinutes, rule.MinTokensPerMinute);
        return (id, WebhookTypes.SpendSpike, WebhookPayload.Build(id, WebhookTypes.SpendSpike, now, state.TenantId, data, WebhookJsonContext.Default.SpendSpikeData));
    }
}
