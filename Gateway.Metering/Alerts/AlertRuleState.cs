namespace Gateway.Metering.Alerts;

/// <summary>One rule of one tenant as the detector sees it: its threshold and whether its next crossing sends.</summary>
/// <param name="ThresholdMicros">low_balance: the threshold; auto_top_up: <c>below</c>; spend_spike: unused.</param>
/// <param name="AmountMicros">auto_top_up: the amount asked for.</param>
/// <param name="Episode">Crossings so far; a fire or re-arm applies only if it is still this.</param>
internal sealed record AlertRuleState(string TenantId, string Kind, bool Armed, long Episode, long ThresholdMicros, long AmountMicros, SpendSpikeRule? Spike);
