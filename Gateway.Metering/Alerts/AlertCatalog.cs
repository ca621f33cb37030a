using Dapper;
using Npgsql;

namespace Gateway.Metering.Alerts;

/// <summary>
/// Alert rules and their armed flags in Postgres. A crossing is decided by one statement that disarms the rule and
/// writes the webhook to the outbox together, guarded by <c>WHERE armed AND episode = @episode</c>: whichever gateway
/// gets there first sends, the others change nothing.
/// </summary>
internal sealed class AlertCatalog(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string Columns = "tenant_id, webhook_url, secret, low_balance_micros, spike_multiple, spike_window_minutes, spike_min_tokens, top_up_below_micros, top_up_amount_micros, updated_at";

    private static readonly string[] AllKinds = [AlertKind.LowBalance, AlertKind.SpendSpike, AlertKind.AutoTopUp];

    /// <summary>The tenant's rules and whether each is armed; null when it has none.</summary>
    public async Task<(TenantAlerts Alerts, IReadOnlyDictionary<string, bool> Armed)?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AlertsRow>(
            $"SELECT {Columns} FROM tenant_alerts WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken });
        if (row is null)
        {
            return null;
        }

        var states = await connection.QueryAsync<ArmedRow>(
            "SELECT kind, armed FROM alert_states WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken });
        return (row.ToAlerts(), states.ToDictionary(s => s.Kind, s => s.Armed, StringComparer.Ordinal));
    }

    /// <summary>Replaces the tenant's rules. A rule that is new, or whose threshold changed, is armed; an unchanged
    /// one keeps its state (PUTting the same rules again never re-sends); a removed one loses its state.</summary>
    public async Task PutAsync(TenantAlerts alerts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var old = (await connection.QuerySingleOrDefaultAsync<AlertsRow>(
            $"SELECT {Columns} FROM tenant_alerts WHERE tenant_id = @TenantId FOR UPDATE",
            new { alerts.TenantId, cancellationToken },
            transaction: transaction))?.ToAlerts();
        await connection.ExecuteAsync(
            $"""
            INSERT INTO tenant_alerts ({Columns})
            VALUES (@TenantId, @WebhookUrl, @Secret, @LowBalanceMicros, @Multiple, @WindowMinutes, @MinTokens, @Below, @Amount, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET webhook_url = EXCLUDED.webhook_url, secret = EXCLUDED.secret,
                low_balance_micros = EXCLUDED.low_balance_micros, spike_multiple = EXCLUDED.spike_multiple,
                spike_window_minutes = EXCLUDED.spike_window_minutes, spike_min_tokens = EXCLUDED.spike_min_tokens,
                top_up_below_micros = EXCLUDED.top_up_below_micros, top_up_amount_micros = EXCLUDED.top_up_amount_micros,
                updated_at = EXCLUDED.updated_at
            """,
            new
            {
                alerts.TenantId, alerts.WebhookUrl, alerts.Secret, alerts.LowBalanceMicros,
                Multiple = alerts.SpendSpike?.Multiple, WindowMinutes = alerts.SpendSpike?.WindowMinutes, MinTokens = alerts.SpendSpike?.MinTokensPerMinute,
                Below = alerts.AutoTopUp?.BelowMicros, Amount = alerts.AutoTopUp?.AmountMicros, now,
                cancellationToken,
            },
            transaction: transaction);

        var wanted = alerts.Kinds().ToHashSet(StringComparer.Ordinal);
        foreach (var kind in AllKinds)
        {
            // One constant statement per branch: Dapper.AOT binds the parameters of each at build time.
            if (!wanted.Contains(kind))
            {
                await connection.ExecuteAsync(
                    "DELETE FROM alert_states WHERE tenant_id = @TenantId AND kind = @kind",
                    new { alerts.TenantId, kind, cancellationToken }, transaction: transaction);
            }
            else if (ThresholdChanged(old, alerts, kind))
            {
                await connection.ExecuteAsync(
                    "INSERT INTO alert_states (tenant_id, kind, armed, changed_at) VALUES (@TenantId, @kind, true, @now) ON CONFLICT (tenant_id, kind) DO UPDATE SET armed = true, changed_at = EXCLUDED.changed_at",
                    new { alerts.TenantId, kind, now, cancellationToken }, transaction: transaction);
            }
            else
            {
                await connection.ExecuteAsync(
                    "INSERT INTO alert_states (tenant_id, kind, armed, changed_at) VALUES (@TenantId, @kind, true, @now) ON CONFLICT (tenant_id, kind) DO NOTHING",
                    new { alerts.TenantId, kind, now, cancellationToken }, transaction: transaction);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Removes the tenant's rules and cancels its webhooks not yet delivered; false when it had none.</summary>
    public async Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            DELETE FROM alert_states WHERE tenant_id = @tenantId;
            UPDATE webhook_outbox SET status = 'cancelled' WHERE tenant_id = @tenantId AND status = 'pending';
            """,
            new { tenantId, cancellationToken },
            transaction: transaction);
        var deleted = await connection.ExecuteAsync(
            "DELETE FROM tenant_alerts WHERE tenant_id = @tenantId",
            new { tenantId, cancellationToken },
            transaction: transaction);
        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    /// <summary>Every armed-or-not rule of every tenant, with its thresholds, for the detector.</summary>
    public async Task<IReadOnlyList<AlertRuleState>> StatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StateRow>(
            """
            SELECT s.tenant_id, s.kind, s.armed, s.episode, a.low_balance_micros, a.top_up_below_micros, a.top_up_amount_micros,
                   a.spike_multiple, a.spike_window_minutes, a.spike_min_tokens
            FROM alert_states s JOIN tenant_alerts a USING (tenant_id)
            ORDER BY s.tenant_id, s.kind
            """,
            new { cancellationToken });
        return [.. rows.Select(r => r.ToState())];
    }

    /// <summary>Disarms the rule and queues its webhook, in one statement; false when another gateway (or an earlier
    /// cycle) already did, or the rule changed since <paramref name="state"/> was read.</summary>
    public async Task<bool> FireAsync(AlertRuleState state, Guid eventId, string type, string payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(
            """
            WITH fired AS (
                UPDATE alert_states SET armed = false, episode = episode + 1, changed_at = @now
                WHERE tenant_id = @TenantId AND kind = @Kind AND armed AND episode = @Episode
                RETURNING tenant_id)
            INSERT INTO webhook_outbox (id, tenant_id, type, payload, created_at, next_attempt_at)
            SELECT @eventId, tenant_id, @type, @payload, @now, @now FROM fired
            """,
            new { state.TenantId, state.Kind, state.Episode, eventId, type, payload, now, cancellationToken }) == 1;
    }

    /// <summary>Arms the rule again (its condition cleared); false when it was armed or fired again meanwhile.</summary>
    public async Task<bool> RearmAsync(AlertRuleState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE alert_states SET armed = true, changed_at = @now WHERE tenant_id = @TenantId AND kind = @Kind AND NOT armed AND episode = @Episode",
            new { state.TenantId, state.Kind, state.Episode, now, cancellationToken }) == 1;
    }

    private static bool ThresholdChanged(TenantAlerts? old, TenantAlerts alerts, string kind) => old is null || kind switch
    {
        AlertKind.LowBalance => old.LowBalanceMicros != alerts.LowBalanceMicros,
        AlertKind.SpendSpike => old.SpendSpike != alerts.SpendSpike,
        _ => old.AutoTopUp?.BelowMicros != alerts.AutoTopUp?.BelowMicros, // a new amount alone does not re-send
    };

    internal sealed record AlertsRow(string tenant_id, string webhook_url, string secret, long? low_balance_micros, decimal? spike_multiple, int? spike_window_minutes, long? spike_min_tokens, long? top_up_below_micros, long? top_up_amount_micros, DateTime updated_at)
    {
        public TenantAlerts ToAlerts() => new(
            tenant_id,
            webhook_url,
            secret,
            low_balance_micros,
            spike_multiple is { } m ? new SpendSpikeRule(m, spike_window_minutes ?? SpendSpikeRule.DefaultWindowMinutes, spike_min_tokens ?? SpendSpikeRule.DefaultMinTokensPerMinute) : null,
            top_up_below_micros is { } b ? new AutoTopUpRule(b, top_up_amount_micros ?? 0) : null,
            new DateTimeOffset(DateTime.SpecifyKind(updated_at, DateTimeKind.Utc)));
    }

    internal sealed record StateRow(string tenant_id, string kind, bool armed, long episode, long? low_balance_micros, long? top_up_below_micros, long? top_up_amount_micros, decimal? spike_multiple, int? spike_window_minutes, long? spike_min_tokens)
    {
        public AlertRuleState ToState() => new(
            tenant_id,
            kind,
            armed,
            episode,
            (kind == AlertKind.AutoTopUp ? top_up_below_micros : low_balance_micros) ?? 0,
            top_up_amount_micros ?? 0,
            spike_multiple is { } m ? new SpendSpikeRule(m, spike_window_minutes ?? SpendSpikeRule.DefaultWindowMinutes, spike_min_tokens ?? SpendSpikeRule.DefaultMinTokensPerMinute) : null);
    }

    internal sealed record ArmedRow(string Kind, bool Armed);
}
