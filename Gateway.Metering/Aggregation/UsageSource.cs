namespace Gateway.Metering.Aggregation;

internal enum UsageSource
{
    DailyRollup,
    HourlyRollup,
    Events,
}
