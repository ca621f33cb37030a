using Dapper;
using Gateway.Metering.Rating;
using Npgsql;

namespace Gateway.Metering.Billing;

/// <summary>
/// Computes a tenant's invoice for a period from the stored events' current ratings: one usage line per model, token
/// class, price version and tier (each event split into its parts by the same rater that charged it), the volume-tier
/// true-up, the per-request rounding, meter lines, the plan fee and the plan's included credits. The usage total is
/// exactly the sum of the events' costs.
/// </summary>
internal sealed class InvoiceBuilder(NpgsqlDataSource dataSource, PriceCatalog catalog, PlanCatalog plans, BilledEventReader events, TimeProvider time)
{
    private const long Scale = 1_000_000L * 10_000L; // micro-USD per million tokens × basis points

    public async Task<InvoiceDocument> BuildAsync(string tenantId, BillingPeriod period, CancellationToken cancellationToken)
    {
        var versions = (await catalog.AllAsync(cancellationToken)).ToDictionary(p => p.Id);
        var pricing = PriceResolver.Build([], await catalog.TenantPricingAsync(tenantId, cancellationToken));
        var usage = new Dictionary<(string Model, TokenClass Class, long PriceId, int Tier, int Markup), (long Quantity, Int128 Numerator, long Unit, long Events)>();
        var unitemized = new Dictionary<string, (long Micros, long Events)>(StringComparer.Ordinal);
        var monthTokens = new Dictionary<string, long>(StringComparer.Ordinal);
        var volume = new List<(BilledEvent Event, ModelPrice Price)>();
        long usageMicros = 0, usageEvents = 0;
        var parts = new List<RatedLine>();

        await foreach (var e in events.ReadAsync(period, tenantId, cancellationToken))
        {
            if (!e.Billable)
            {
                continue;
            }

            usageEvents++;
            usageMicros += e.CostMicros;
            if (e.Model is { } model)
            {
                monthTokens[model] = monthTokens.GetValueOrDefault(model) + Rater.TierTokens(e.Usage);
            }

            if (e.PriceId is not { } priceId || !versions.TryGetValue(priceId, out var price))
            {
                if (e.CostMicros != 0)
                {
                    var (micros, count) = unitemized.GetValueOrDefault(e.Model ?? "");
                    unitemized[e.Model ?? ""] = (micros + e.CostMicros, count + 1);
                }

                continue;
            }

            var markup = e.MarkupBp ?? 0;
            parts.Clear();
            Rater.Rate(e.Usage, price, e.TierPosition ?? 0, markup, parts);
            foreach (var part in parts)
            {
                var key = (price.Model, part.Class, priceId, part.Tier, markup);
                var (quantity, numerator, _, count) = usage.GetValueOrDefault(key);
                var scale = part.Class == TokenClass.ServerToolRequests ? 1_000_000 : 1;
                usage[key] = (quantity + part.Quantity, numerator + ((Int128)part.Quantity * part.UnitPrice * scale * (10_000 + markup)), part.UnitPrice, count + 1);
            }

            if (price is { TierMode: TierMode.Volume, IsTiered: true })
            {
                volume.Add((e, price));
            }
        }

        var lines = new List<InvoiceLine>();
        var planId = pricing.PricingAt(tenantId, Min(period.End.AddTicks(-1), time.GetUtcNow())).PlanId;
        var plan = planId is null ? null : await plans.FindAsync(planId, cancellationToken);
        if (plan is { MonthlyFeeMicros: > 0 })
        {
            lines.Add(new InvoiceLine("plan_fee", $"Plan {plan.Id}, {period.Name}", 1, "month", Money.ToDecimal(plan.MonthlyFeeMicros), Money.ToDecimal(plan.MonthlyFeeMicros), plan.MonthlyFeeMicros));
        }

        long itemized = 0;
        foreach (var ((model, tokenClass, priceId, tier, markup), (quantity, numerator, unit, count)) in usage
            .OrderBy(u => u.Key.Model, StringComparer.Ordinal).ThenBy(u => u.Key.Class).ThenBy(u => u.Key.PriceId).ThenBy(u => u.Key.Tier))
        {
            var price = versions[priceId];
            var amount = (long)((numerator + (Scale / 2)) / Scale);
            itemized += amount;
            var perRequest = tokenClass == TokenClass.ServerToolRequests;
            lines.Add(new InvoiceLine(
                "usage",
                $"{model} {Snake(tokenClass)}" + (price.IsTiered ? $", tier {tier + 1}" : ""),
                quantity,
                perRequest ? "requests" : "tokens",
                unit * (10_000m + markup) / 10_000m / Money.MicrosPerUnit,
                Money.ToDecimal(amount),
                amount,
                model,
                Snake(tokenClass),
                tier + 1,
                priceId,
                price.Scope,
                price.Version,
                markup,
                Events: count));
        }

        foreach (var (model, (micros, count)) in unitemized.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            itemized += micros;
            lines.Add(new InvoiceLine("usage", $"{model} usage rated before itemized ratings", count, "requests", 0, Money.ToDecimal(micros), micros, model, Events: count));
        }

        if (usageMicros != itemized)
        {
            lines.Add(new InvoiceLine("rounding", "Per-request rounding (each request is charged to the micro-dollar)", 1, "adjustment", Money.ToDecimal(usageMicros - itemized), Money.ToDecimal(usageMicros - itemized), usageMicros - itemized));
        }

        var trueUp = VolumeTrueUps(volume, monthTokens, lines);
        var meterMicros = await MeterLinesAsync(tenantId, period, lines, cancellationToken);
        var fees = plan?.MonthlyFeeMicros ?? 0;
        var applied = Math.Min(plan?.IncludedCreditsMicros ?? 0, Math.Max(0, usageMicros + trueUp + meterMicros));
        if (applied > 0)
        {
            lines.Add(new InvoiceLine("credits_applied", $"Credits included in plan {plan!.Id}", 1, "credit", -Money.ToDecimal(applied), -Money.ToDecimal(applied), -applied));
        }

        var total = fees + usageMicros + trueUp + meterMicros - applied;
        return new InvoiceDocument("invoice", tenantId, period.Name, "open", "USD", period.Start, period.End, planId, lines, usageEvents,
            Money.ToDecimal(usageMicros + trueUp), Money.ToDecimal(meterMicros), Money.ToDecimal(fees), Money.ToDecimal(applied), Money.ToDecimal(total), total);
    }

    /// <summary>Volume tiers: the month's tokens of the model decide one tier for all of them; the line is what that
    /// tier costs minus what the events were charged. Returns the sum of the true-ups.</summary>
    public static long VolumeTrueUps(List<(BilledEvent Event, ModelPrice Price)> volume, Dictionary<string, long> monthTokens, List<InvoiceLine> lines)
    {
        long sum = 0;
        foreach (var group in volume.GroupBy(v => v.Price.Model, StringComparer.Ordinal))
        {
            var tokens = monthTokens.GetValueOrDefault(group.Key);
            long expected = 0, charged = 0;
            foreach (var (e, price) in group)
            {
                var flat = price.Tier(price.TierAt(Math.Max(0, tokens - 1)));
                expected += Rater.Rate(e.Usage, flat, 0, e.MarkupBp ?? 0);
                charged += e.CostMicros;
            }

            if (expected != charged)
            {
                sum += expected - charged;
                lines.Add(new InvoiceLine("volume_true_up", $"{group.Key}: all {tokens} tokens of the month at the volume tier they reached", tokens, "tokens",
                    0, Money.ToDecimal(expected - charged), expected - charged, group.Key));
            }
        }

        return sum;
    }

    private async Task<long> MeterLinesAsync(string tenantId, BillingPeriod period, List<InvoiceLine> lines, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<MeterLineRow>(
            """
            SELECT meter, unit_price_micros AS unit_price, sum(quantity) AS quantity, sum(cost_micros)::bigint AS cost, count(*) AS events
            FROM meter_events WHERE tenant_id = @tenantId AND occurred_at >= @from AND occurred_at < @to
            GROUP BY meter, unit_price_micros ORDER BY meter, unit_price_micros
            """,
            new { tenantId, from = period.Start, to = period.End, cancellationToken });
        long sum = 0;
        foreach (var (meter, unitPrice, quantity, cost, count) in rows)
        {
            sum += cost;
            lines.Add(new InvoiceLine("meter", meter, quantity, "units", Money.ToDecimal(unitPrice), Money.ToDecimal(cost), cost, Meter: meter, Events: count));
        }

        return sum;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static string Snake(TokenClass tokenClass) => tokenClass switch
    {
        TokenClass.CachedInput => "cached_input",
        TokenClass.CacheWrite => "cache_write",
        TokenClass.CacheWrite1h => "cache_write_1h",
        TokenClass.Input => "input",
        TokenClass.Reasoning => "reasoning",
        TokenClass.Output => "output",
        _ => "server_tool_requests",
    };

    internal sealed record MeterLineRow(string Meter, long UnitPrice, decimal Quantity, long Cost, long Events);
}
