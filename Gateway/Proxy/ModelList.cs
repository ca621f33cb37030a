using System.Text.Json;
using Gateway.Metering.Rating;

namespace Gateway.Proxy;

/// <summary>
/// <c>GET /v1/models</c> answered by the gateway: the models a tenant can use here are the priced ones (any other is
/// refused with <c>model_not_priced</c>), in OpenAI's list shape so every SDK's <c>models.list()</c> works.
/// </summary>
internal static class ModelList
{
    public static async Task WriteAsync(HttpContext context, PriceBook prices, TimeProvider time)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var price in prices.All.OrderBy(p => p.Model, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("id", price.Model);
            json.WriteString("object", "model");
            json.WriteNumber("created", created);
            json.WriteString("owned_by", "gateway");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
