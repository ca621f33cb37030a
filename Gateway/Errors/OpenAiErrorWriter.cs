using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Errors;

/// <summary>
/// Maps every <see cref="GatewayError"/> to its status, type and code, and writes it in the shape of the API the
/// client called: OpenAI's by default, Anthropic's on <c>/v1/messages</c>, Google's on <c>/v1beta</c>.
/// </summary>
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
        GatewayErrorKind.UpstreamUnavailable => (502, "server_error", "upstream_unavailable"),
        GatewayErrorKind.UpstreamTimeout => (504, "server_error", "upstream_timeout"),
        GatewayErrorKind.TooManyStreams => (429, "rate_limit_error", "concurrent_streams_exceeded"),
        GatewayErrorKind.RequestTimeout => (408, "invalid_request_error", "request_timeout"),
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
        var path = context.Request.Path;
        if (path.StartsWithSegments("/v1/messages"))
        {
            WriteAnthropic(writer, status, error.Message, code);
        }
        else if (path.StartsWithSegments("/v1beta"))
        {
            WriteGoogle(writer, status, error.Message, code);
        }
        else
        {
            WriteOpenAi(writer, error, type, code);
        }

        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>OpenAI's <c>{"error":{"message","type","param","code"}}</c>: the OpenAI routes and the admin API.</summary>
    private static void WriteOpenAi(Utf8JsonWriter writer, GatewayError error, string type, string code)
    {
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
    }

    /// <summary>Anthropic's <c>{"type":"error","error":{"type","message"}}</c>, so its SDK raises the right exception;
    /// our code is added beside.</summary>
    private static void WriteAnthropic(Utf8JsonWriter writer, int status, string message, string code)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("type", status switch
        {
            400 or 413 => status == 413 ? "request_too_large" : "invalid_request_error",
            401 => "authentication_error",
            402 => "billing_error",
            403 => "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            503 => "overloaded_error",
            _ => "api_error",
        });
        writer.WriteString("message", message);
        writer.WriteString("code", code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Google's <c>{"error":{"code","message","status"}}</c>; our code is added as <c>reason</c>.</summary>
    private static void WriteGoogle(Utf8JsonWriter writer, int status, string message, string code)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteNumber("code", status);
        writer.WriteString("message", message);
        writer.WriteString("status", status switch
        {
            400 or 413 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            402 or 429 => "RESOURCE_EXHAUSTED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            408 => "DEADLINE_EXCEEDED",
            409 => "ALREADY_EXISTS",
            504 => "DEADLINE_EXCEEDED",
            502 or 503 => "UNAVAILABLE",
            _ => "INTERNAL",
        });
        writer.WriteString("reason", code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>As an endpoint result, for the admin API.</summary>
    public static IResult ToResult(this GatewayError error) => new ErrorResult(error);

    private sealed class ErrorResult(GatewayError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteAsync(httpContext, error);
    }
}
