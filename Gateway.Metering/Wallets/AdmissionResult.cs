namespace Gateway.Metering.Wallets;

/// <summary>What the admission script decided, as a value.</summary>
internal readonly record struct AdmissionResult(
    AdmissionOutcome Outcome,
    long BalanceMicros = 0,
    long HeldMicros = 0,
    long AvailableMicros = 0,
    int Window = 0,
    long RequestLimit = -1,
    long RequestsLeft = -1,
    long TokenLimit = -1,
    long TokensLeft = -1,
    long Backlog = 0,
    long MonthTokens = 0);
