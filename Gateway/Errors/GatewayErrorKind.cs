namespace Gateway.Errors;

internal enum GatewayErrorKind
{
    InvalidApiKey,
    InvalidAdminToken,
    InvalidJson,
    InvalidRequest,
    BodyTooLarge,
    NotFound,
    Conflict,
    MeteringUnavailable,
    StoreUnavailable,
    ModelNotPriced,
    InsufficientBalance,
    RateLimited,
    TenantInactive,
    MeteringBacklog,
    NoProvider,
    UpstreamUnavailable,
    UpstreamTimeout,
    TooManyStreams,
    RequestTimeout,
}
