namespace Gateway.Errors;

/// <summary>
/// An expected failure, as a value. <see cref="OpenAiErrorWriter"/> is the one place these become HTTP answers, in
/// the OpenAI error shape <c>{"error":{"message","type","param","code"}}</c> that the official SDKs parse.
/// </summary>
internal sealed record GatewayError(GatewayErrorKind Kind, string Message, string? Param = null, TimeSpan? RetryAfter = null)
{
    private static readonly string[] Windows = ["requests per minute", "tokens per minute", "tokens per day", "tokens per month"];

    public static GatewayError MissingKey() => new(GatewayErrorKind.InvalidApiKey,
        "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.");

    public static GatewayError InvalidKey() => new(GatewayErrorKind.InvalidApiKey, "Incorrect API key provided.");

    public static GatewayError InvalidAdminToken() => new(GatewayErrorKind.InvalidAdminToken, "Invalid or missing admin token.");

    public static GatewayError InvalidJson(string message) => new(GatewayErrorKind.InvalidJson, message);

    public static GatewayError InvalidRequest(string message, string? param = null) => new(GatewayErrorKind.InvalidRequest, message, param);

    public static GatewayError BodyTooLarge(long limit) => new(GatewayErrorKind.BodyTooLarge,
        $"The request body is larger than the gateway's limit of {limit} bytes.");

    public static GatewayError NotFound(string message) => new(GatewayErrorKind.NotFound, message);

    public static GatewayError Conflict(string message) => new(GatewayErrorKind.Conflict, message);

    public static GatewayError MeteringUnavailable() => new(GatewayErrorKind.MeteringUnavailable,
        "The gateway cannot reach its metering store; the request was not sent. Retry shortly.");

    public static GatewayError ModelNotPriced(string model) => new(GatewayErrorKind.ModelNotPriced,
        $"The model '{model}' has no price on this gateway, so it cannot be billed; ask the operator to price it.", "model");

    public static GatewayError InsufficientBalance(long holdMicros, long availableMicros) => new(GatewayErrorKind.InsufficientBalance,
        $"Your balance does not cover this request: it may cost up to {Metering.Rating.Money.Format(holdMicros)} USD and "
        + $"{Metering.Rating.Money.Format(Math.Max(0, availableMicros))} USD is available. Top up, or lower max_tokens.");

    public static GatewayError RateLimited(int window, TimeSpan retryAfter) => new(GatewayErrorKind.RateLimited,
        $"Rate limit reached: {Windows[Math.Clamp(window, 1, 4) - 1]}. Retry after {Math.Ceiling(retryAfter.TotalSeconds)} s.",
        RetryAfter: retryAfter);

    public static GatewayError MeteringBacklog() => new(GatewayErrorKind.MeteringBacklog,
        "Usage records are waiting to be stored; the gateway takes no new metered requests until they are. Retry shortly.",
        RetryAfter: TimeSpan.FromSeconds(5));

    public static GatewayError NoProvider(string api) => new(GatewayErrorKind.NoProvider,
        $"This gateway has no provider configured for this API ({api}).");

    public static GatewayError UpstreamUnavailable(string provider) => new(GatewayErrorKind.UpstreamUnavailable,
        $"The provider '{provider}' could not be reached or failed before answering.");

    public static GatewayError UpstreamTimeout(string provider) => new(GatewayErrorKind.UpstreamTimeout,
        $"The provider '{provider}' did not answer in time.");

    public static GatewayError TooManyStreams(int max) => new(GatewayErrorKind.TooManyStreams,
        $"This tenant already has {max} streamed requests open on this gateway; retry when one ends.",
        RetryAfter: TimeSpan.FromSeconds(1));

    public static GatewayError RequestTimeout() => new(GatewayErrorKind.RequestTimeout,
        "The request body arrived too slowly.");

    public static GatewayError InvalidPath() => new(GatewayErrorKind.InvalidRequest,
        "The request path holds a control character.");

    public static GatewayError TenantInactive() => new(GatewayErrorKind.TenantInactive, "This tenant is not active.");

    public static GatewayError StoreUnavailable() => new(GatewayErrorKind.StoreUnavailable,
        "The gateway cannot reach its database. Retry shortly.");
}
