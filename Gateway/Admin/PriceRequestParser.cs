using Gateway.Errors;
using Gateway.Metering.Rating;

namespace Gateway.Admin;

/// <summary>A price body (USD per million tokens, optional tiers and effective time) → a <see cref="ModelPrice"/>, or
/// the first thing wrong with it.</summary>
internal static class PriceRequestParser
{
    public const int MaxTiers = 20;

    public static GatewayError? TryParse(string model, string scope, PriceRequest body, out ModelPrice? price)
    {
        price = null;
        var mode = body.TierMode switch
        {
            null or "graduated" => TierMode.Graduated,
            "volume" => TierMode.Volume,
            _ => (TierMode?)null,
        };
        if (mode is null)
        {
            return GatewayError.InvalidRequest("'tier_mode' must be \"graduated\" or \"volume\".", "tier_mode");
        }

        List<PriceTier>? tiers = null;
        if (body.Tiers is { } requested)
        {
            if (requested.Count is 0 or > MaxTiers)
            {
                return GatewayError.InvalidRequest($"'tiers' must hold 1 to {MaxTiers} tiers.", "tiers");
            }

            tiers = [];
            long previous = 0;
            for (var i = 0; i < requested.Count; i++)
            {
                var t = requested[i];
                var last = i == requested.Count - 1;
                if (last ? t.UpTo is not null : t.UpTo is not { } upTo || upTo <= previous)
                {
                    return GatewayError.InvalidRequest("Each tier but the last needs 'up_to' (tokens, ascending, above 0); the last has \"up_to\": null.", "tiers");
                }

                if (ClassPrices($"tiers[{i}].", t.InputPerMillion, t.OutputPerMillion, t.CachedInputPerMillion, t.CacheWritePerMillion, t.ReasoningPerMillion, t.CacheWrite1hPerMillion, t.ServerToolRequest, out var p) is { } error)
                {
                    return error;
                }

                tiers.Add(new PriceTier(t.UpTo, p[0]!.Value, p[1]!.Value, p[2], p[3], p[4], p[5], p[6]));
                previous = t.UpTo ?? previous;
            }
        }

        if (tiers is not null && body.InputPerMillion is null && body.OutputPerMillion is null)
        {
            var first = tiers[0];
            price = new ModelPrice(model, 0, first.InputPerMillionMicros, first.OutputPerMillionMicros, first.CachedInputPerMillionMicros,
                first.CacheWritePerMillionMicros, first.ReasoningPerMillionMicros, first.CacheWrite1hPerMillionMicros, first.ServerToolRequestMicros);
        }
        else
        {
            if (ClassPrices("", body.InputPerMillion, body.OutputPerMillion, body.CachedInputPerMillion, body.CacheWritePerMillion, body.ReasoningPerMillion, body.CacheWrite1hPerMillion, body.ServerToolRequest, out var p) is { } error)
            {
                return error;
            }

            price = new ModelPrice(model, 0, p[0]!.Value, p[1]!.Value, p[2], p[3], p[4], p[5], p[6]);
        }

        price = price with { Scope = scope, TierMode = mode.Value, Tiers = tiers };
        return null;
    }

    public static PriceResponse ToResponse(ModelPrice p) => new(
        p.Model,
        p.Version,
        Money.ToDecimal(p.InputPerMillionMicros),
        Money.ToDecimal(p.OutputPerMillionMicros),
        Optional(p.CachedInputPerMillionMicros),
        Optional(p.CacheWritePerMillionMicros),
        Optional(p.ReasoningPerMillionMicros),
        Optional(p.CacheWrite1hPerMillionMicros),
        Optional(p.ServerToolRequestMicros),
        p.Id,
        p.Scope,
        p.EffectiveFrom,
        p.Tiers is { Count: > 0 } ? (p.TierMode == TierMode.Volume ? "volume" : "graduated") : null,
        p.Tiers?.Select(t => new TierRequest(t.UpTo, Money.ToDecimal(t.InputPerMillionMicros), Money.ToDecimal(t.OutputPerMillionMicros),
            Optional(t.CachedInputPerMillionMicros), Optional(t.CacheWritePerMillionMicros), Optional(t.ReasoningPerMillionMicros),
            Optional(t.CacheWrite1hPerMillionMicros), Optional(t.ServerToolRequestMicros))).ToList());

    private static decimal? Optional(long? micros) => micros is { } m ? Money.ToDecimal(m) : null;

    private static GatewayError? ClassPrices(string prefix, decimal? input, decimal? output, decimal? cached, decimal? cacheWrite, decimal? reasoning, decimal? cacheWrite1h, decimal? serverTool, out long?[] micros)
    {
        micros = new long?[7];
        (decimal? Value, string Name, bool Required)[] fields =
        [
            (input, "input_per_million", true), (output, "output_per_million", true), (cached, "cached_input_per_million", false),
            (cacheWrite, "cache_write_per_million", false), (reasoning, "reasoning_per_million", false),
            (cacheWrite1h, "cache_write_1h_per_million", false), (serverTool, "server_tool_request", false),
        ];
        for (var i = 0; i < fields.Length; i++)
        {
            var (value, name, required) = fields[i];
            if (value is null)
            {
                if (required)
                {
                    return GatewayError.InvalidRequest($"'{prefix}{name}' is required (USD per million tokens).", prefix + name);
                }

                continue;
            }

            if (value < 0 || !Money.TryToMicros(value.Value, out var parsed))
            {
                return GatewayError.InvalidRequest($"'{prefix}{name}' must be a non-negative USD amount with at most 6 decimal places.", prefix + name);
            }

            micros[i] = parsed;
        }

        return null;
    }
}
