using Gateway.Errors;
using Gateway.Metering.Rating;

namespace Gateway.Admin;

/// <summary><c>/admin/prices</c>: USD per million tokens per model (server tool requests: USD per request); each PUT
/// is a new version.</summary>
internal static class PriceEndpoints
{
    public static RouteGroupBuilder MapPriceEndpoints(this RouteGroupBuilder admin)
    {
        admin.MapPut("/prices/{**model}", PutPrice);
        admin.MapGet("/prices", ListPrices);
        return admin;
    }

    private static async Task<IResult> PutPrice(string model, HttpRequest request, PriceCatalog catalog, PriceStore store, PriceBook book)
    {
        if (string.IsNullOrWhiteSpace(model) || model.Length > 200 || model.Any(char.IsControl))
        {
            return GatewayError.InvalidRequest("The model name must be 1 to 200 printable characters.", "model").ToResult();
        }

        var (body, error) = await AdminRequest.ReadAsync(request, AdminJsonContext.Default.PriceRequest);
        if (error is not null)
        {
            return error.ToResult();
        }

        if (!TryPrice(body!.InputPerMillion, "input_per_million", required: true, out var input, out error)
            || !TryPrice(body.OutputPerMillion, "output_per_million", required: true, out var output, out error)
            || !TryPrice(body.CachedInputPerMillion, "cached_input_per_million", required: false, out var cached, out error)
            || !TryPrice(body.CacheWritePerMillion, "cache_write_per_million", required: false, out var cacheWrite, out error)
            || !TryPrice(body.ReasoningPerMillion, "reasoning_per_million", required: false, out var reasoning, out error)
            || !TryPrice(body.CacheWrite1hPerMillion, "cache_write_1h_per_million", required: false, out var cacheWrite1h, out error)
            || !TryPrice(body.ServerToolRequest, "server_tool_request", required: false, out var serverToolRequest, out error))
        {
            return error!.ToResult();
        }

        var price = await catalog.PutAsync(model, input!.Value, output!.Value, cached, cacheWrite, reasoning, request.HttpContext.RequestAborted, cacheWrite1h, serverToolRequest);
        await store.PutAsync([price], publish: true);
        await book.LoadAsync();
        return AdminRequest.Json(ToResponse(price), AdminJsonContext.Default.PriceResponse);
    }

    private static async Task<IResult> ListPrices(PriceCatalog catalog, CancellationToken cancellationToken)
    {
        var prices = await catalog.CurrentAsync(cancellationToken);
        return AdminRequest.Json(new PriceList([.. prices.Select(ToResponse)]), AdminJsonContext.Default.PriceList);
    }

    private static bool TryPrice(decimal? value, string name, bool required, out long? micros, out GatewayError? error)
    {
        micros = null;
        error = null;
        if (value is null)
        {
            if (required)
            {
                error = GatewayError.InvalidRequest($"'{name}' is required (USD per million tokens).", name);
            }

            return !required;
        }

        if (value < 0 || !Money.TryToMicros(value.Value, out var parsed))
        {
            error = GatewayError.InvalidRequest($"'{name}' must be a non-negative USD amount with at most 6 decimal places.", name);
            return false;
        }

        micros = parsed;
        return true;
    }

    private static PriceResponse ToResponse(ModelPrice p) => new(
        p.Model,
        p.Version,
        Money.ToDecimal(p.InputPerMillionMicros),
        Money.ToDecimal(p.OutputPerMillionMicros),
        p.CachedInputPerMillionMicros is { } c ? Money.ToDecimal(c) : null,
        p.CacheWritePerMillionMicros is { } w ? Money.ToDecimal(w) : null,
        p.ReasoningPerMillionMicros is { } r ? Money.ToDecimal(r) : null,
        p.CacheWrite1hPerMillionMicros is { } h ? Money.ToDecimal(h) : null,
        p.ServerToolRequestMicros is { } t ? Money.ToDecimal(t) : null);
}
