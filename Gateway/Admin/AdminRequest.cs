using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Errors;

namespace Gateway.Admin;

/// <summary>Reads an admin request body, turning bad JSON into an OpenAI-shaped 400 instead of an exception.</summary>
internal static class AdminRequest
{
    public static async Task<(T? Value, GatewayError? Error)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted);
            return value is null ? (null, GatewayError.InvalidJson("The request body must be a JSON object.")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, GatewayError.InvalidJson($"The request body is not valid JSON: {ex.Message}"));
        }
    }

    public static IResult Json<T>(T value, JsonTypeInfo<T> type, int status = 200) => Results.Json(value, type, statusCode: status);
}
