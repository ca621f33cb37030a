using Gateway.Errors;
using Gateway.Metering.Alerts;
using Gateway.Metering.Rating;

namespace Gateway.Admin;

/// <summary>Turns a <c>PUT /admin/tenants/{id}/alerts</c> body into rules, or the first bad field as a 400.</summary>
internal static class AlertsRequestParser
{
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 256;
    public const int MaxUrlLength = 2048;

    /// <summary>A body without <c>secret</c> gives rules with an empty one: the caller keeps the tenant's current
    /// secret, or refuses with <see cref="SecretRequired"/> when it has none.</summary>
    public static (TenantAlerts? Alerts, GatewayError? Error) Parse(string tenantId, AlertsRequest body, DateTimeOffset now)
    {
        if (!TryUrl(body.WebhookUrl, out var url))
        {
            return Fail($"'webhook_url' must be an absolute http or https URL without user info, at most {MaxUrlLength} characters.", "webhook_url");
        }

        if (body.Secret is { } given && (given.Length is < MinSecretLength or > MaxSecretLength || given.Any(char.IsControl) || given.StartsWith("****", StringComparison.Ordinal)))
        {
            return Fail($"'secret' must be {MinSecretLength} to {MaxSecretLength} printable characters (the secret itself, not the masked one GET shows).", "secret");
        }

        long? lowBalance = null;
        if (body.LowBalance is { } low)
        {
            if (!TryAmount(low, out var micros))
            {
                return Fail("'low_balance' must be null (off) or a positive USD amount with at most 6 decimal places.", "low_balance");
            }

            lowBalance = micros;
        }

        SpendSpikeRule? spike = null;
        if (body.SpendSpike is { } s)
        {
            if (s.Multiple is not { } multiple || multiple <= 1 || multiple > 1000)
            {
                return Fail("'spend_spike.multiple' is required: more than 1, at most 1000.", "spend_spike.multiple");
            }

            if (s.WindowMinutes is < 1 or > 1440)
            {
                return Fail("'spend_spike.window_minutes' must be 1 to 1440 (default 60).", "spend_spike.window_minutes");
            }

            if (s.MinTokensPerMinute is < 0 or > 1_000_000_000_000)
            {
                return Fail("'spend_spike.min_tokens_per_minute' must be a non-negative integer (default 1000).", "spend_spike.min_tokens_per_minute");
            }

            spike = new SpendSpikeRule(multiple, s.WindowMinutes ?? SpendSpikeRule.DefaultWindowMinutes, s.MinTokensPerMinute ?? SpendSpikeRule.DefaultMinTokensPerMinute);
        }

        AutoTopUpRule? topUp = null;
        if (body.AutoTopUp is { } t)
        {
            if (t.Below is not { } below || !TryAmount(below, out var belowMicros))
            {
                return Fail("'auto_top_up.below' is required: a positive USD amount with at most 6 decimal places.", "auto_top_up.below");
            }

            if (t.Amount is not { } amount || !TryAmount(amount, out var amountMicros))
            {
                return Fail("'auto_top_up.amount' is required: a positive USD amount with at most 6 decimal places.", "auto_top_up.amount");
            }

            topUp = new AutoTopUpRule(belowMicros, amountMicros);
        }

        return (new TenantAlerts(tenantId, url!, body.Secret ?? string.Empty, lowBalance, spike, topUp, now), null);
    }

    public static GatewayError SecretRequired() => GatewayError.InvalidRequest("'secret' is required (the key of the webhooks' HMAC-SHA256 signature).", "secret");

    private static bool TryUrl(string? text, out string? url)
    {
        url = null;
        if (text is null || text.Length > MaxUrlLength || !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
        {
            return false;
        }

        url = uri.AbsoluteUri;
        return true;
    }

    private static bool TryAmount(decimal value, out long micros)
    {
        micros = 0;
        return value > 0 && Money.TryToMicros(value, out micros);
    }

    private static (TenantAlerts?, GatewayError?) Fail(string message, string param) => (null, GatewayError.InvalidRequest(message, param));
}
