using System.Text.Json.Serialization;

namespace Gateway.Metering.Alerts;

/// <summary>The <c>data</c> of each webhook: snake_case, amounts in USD, source-generated.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LowBalanceData))]
[JsonSerializable(typeof(TopUpRequestedData))]
[JsonSerializable(typeof(SpendSpikeData))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;

/// <summary><c>wallet.low_balance</c>: the balance fell below <c>threshold</c>; <c>available</c> = balance − held.</summary>
internal sealed record LowBalanceData(decimal Threshold, decimal Balance, decimal Held, decimal Available, string Currency);

/// <summary><c>wallet.top_up_requested</c>: charge the customer <c>amount</c>, then
/// <c>POST /admin/tenants/{id}/credits {"amount", "idempotency_key"}</c> with this key; a repeat credits nothing.</summary>
internal sealed record TopUpRequestedData(string IdempotencyKey, decimal Amount, decimal Below, decimal Balance, decimal Held, decimal Available, string Currency);

/// <summary><c>usage.spend_spike</c>: the last minute's tokens against the trailing average per minute.</summary>
internal sealed record SpendSpikeData(long TokensLastMinute, decimal TrailingAveragePerMinute, decimal Multiple, int WindowMinutes, long MinTokensPerMinute);
