namespace Gateway.Metering.Wallets;

internal enum AdmissionOutcome
{
    Admitted = 0,
    NoWallet = 1,
    TenantInactive = 2,
    WindowFull = 3,
    InsufficientBalance = 4,
    Backlogged = 5,
}
