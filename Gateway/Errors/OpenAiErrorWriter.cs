using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Errors;

/// <summary>Maps every <see cref="GatewayError"/> to its status, type and code, and writes it.</summary>
internal static class OpenAiErrorWriter
{
    public static (int Status, string Type, string Code) Map(GatewayErrorKind kind) => kind switch
    {
        GatewayErrorKind.InvalidApiKey => (401, "invalid_request_error", "invalid_api_key"),
        GatewayErrorKind.InvalidAdminToken => (401, "invalid_request_error", "invalid_admin_token"),
        GatewayErrorKind.InvalidJson => (400, "invalid_request_error", "invalid_json"),
        GatewayErrorKind.InvalidRequest => (400, "invalid_request_error", "invalid_request"),
        GatewayErrorKind.BodyTooLarge => (413, "invalid_request_error", "request_too_large"),
        GatewayErrorKind.NotFound => (404, "invalid_request_error", "not_found"),
        GatewayErrorKind.Conflict => (409, "invalid_request_error", "conflict"),
        GatewayErrorKind.MeteringUnavailable => (503, "server_error", "metering_unavailable"),
        GatewayErrorKind.StoreUnavailable => (503, "server_error", "store_unavailable"),
        GatewayErrorKind.ModelNotPriced => (400, "invalid_request_error", "model_not_priced"),
        GatewayErrorKind.InsufficientBalance => (402, "insufficient_quota", "insufficient_balance"),
        GatewayErrorKind.RateLimited => (429, "rate_limit_error", "rate_limit_exceeded"),
        GatewayErrorKind.TenantInactive => (403, "permission_error", "tenant_inactive"),
        GatewayErrorKind.MeteringBacklog => (503, "server_error", "metering_backlog"),
        GatewayErrorKind.NoProvider => (404, "invalid_request_error", "provider_not_configured"),
        _ => (500, "server_error", "internal_error"),
    };

    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        var (status, type, code) = Map(error.Kind);
        if (context.Response.HasStarted)
        {
            return; // too late for a status; the stream itself tells the client
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (error.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Relaxed escaping keeps quotes in messages readable; the body is served as application/json, never HTML.
        await using var writer = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", error.Message);
        writer.WriteString("type", type);
        if (error.Param is null)
        {
            writer.WriteNull("param");
        }
        else
        {
            writer.WriteString("param", error.Param);
        }

        writer.WriteString("code", code);
        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>As an endpoint result, for the admin API.</summary>
    public static IResult ToResult(this GatewayError error) => new ErrorResult(error);

    private sealed class ErrorResult(GatewayError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error);
    }
}
