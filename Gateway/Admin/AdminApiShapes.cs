using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Admin;

/// <summary>
/// What each admin operation takes and answers, for the OpenAPI document: (method, route) → body type, answer
/// status and type, query parameters. An operation missing here is still documented (path, parameters, errors)
/// but without body schemas; the OpenAPI test lists any such gap.
/// </summary>
internal static class AdminApiShapes
{
    internal sealed record Shape(Type? Body, int Status, Type? Answer, params (string Name, string Description)[] Query)
    {
        /// <summary>The answer's media type; JSON unless said (the export streams one event per line).</summary>
        public string MediaType { get; init; } = "application/json";
    }

    public static readonly IReadOnlyDictionary<string, Shape> Operations = new Dictionary<string, Shape>(StringComparer.Ordinal)
    {
        ["POST admin/tenants"] = new(typeof(CreateTenantRequest), 201, typeof(TenantResponse)),
        ["GET admin/tenants/{id}"] = new(null, 200, typeof(TenantResponse)),
        ["POST admin/tenants/{id}/keys"] = new(typeof(CreateKeyRequest), 201, typeof(CreatedKeyResponse)),
        ["DELETE admin/keys/{id}"] = new(null, 204, null),
        ["GET admin/events"] = new(null, 200, typeof(EventPage),
            ("tenant", "Tenant id (required)."), ("limit", "1 to 1000 (default 100)."), ("after", "The last event_id seen: the page starts after it (oldest first).")),
        ["PUT admin/prices/{model}"] = new(typeof(PriceRequest), 200, typeof(PriceResponse)),
        ["GET admin/prices"] = new(null, 200, typeof(PriceList)),
        ["GET admin/prices/{model}"] = new(null, 200, typeof(PriceResponse)),
        ["PUT admin/tenants/{id}/prices/{model}"] = new(typeof(PriceRequest), 200, typeof(PriceResponse)),
        ["GET admin/tenants/{id}/prices/{model}"] = new(null, 200, typeof(PriceResponse)),
        ["POST admin/tenants/{id}/credits"] = new(typeof(CreditRequest), 201, typeof(WalletResponse)),
        ["GET admin/tenants/{id}/wallet"] = new(null, 200, typeof(WalletResponse)),
        ["PUT admin/tenants/{id}/limits"] = new(typeof(LimitsBody), 200, typeof(LimitsBody)),
        ["GET admin/tenants/{id}/limits"] = new(null, 200, typeof(LimitsBody)),
        ["GET admin/tenants/{id}/reconciliation"] = new(null, 200, typeof(ReconciliationResponse)),
        ["GET admin/reconciliation"] = new(null, 200, typeof(ReconciliationList)),
        ["PUT admin/plans/{id}"] = new(typeof(PlanRequest), 200, typeof(PlanResponse)),
        ["GET admin/plans/{id}"] = new(null, 200, typeof(PlanResponse)),
        ["PUT admin/tenants/{id}/plan"] = new(typeof(TenantPlanRequest), 200, typeof(TenantPricingResponse)),
        ["PUT admin/tenants/{id}/markup"] = new(typeof(MarkupRequest), 200, typeof(TenantPricingResponse)),
        ["GET admin/tenants/{id}/pricing"] = new(null, 200, typeof(TenantPricingResponse)),
        ["GET admin/usage"] = new(null, 200, typeof(UsageAnswer),
            ("tenant", "Tenant id; absent: every tenant."), ("from", "ISO 8601, floored to the hour (default: start of this month)."),
            ("to", "ISO 8601, floored to the hour (default: the next hour)."), ("group_by", "Comma-separated: model, feature, environment, end_user, trace_id, tenant."),
            ("window", "hour, day (default) or month.")),
        ["GET admin/tenants/{id}/invoices/{period}"] = new(null, 200, typeof(Metering.Billing.InvoiceDocument)),
        ["POST admin/invoices/{period}/close"] = new(null, 200, typeof(CloseResponse)),
        ["POST admin/rerate"] = new(typeof(RerateRequest), 200, typeof(RerateResponse)),
        ["PUT admin/meters/{id}"] = new(typeof(MeterRequest), 200, typeof(MeterResponse)),
        ["GET admin/meters"] = new(null, 200, typeof(List<MeterResponse>)),
        ["PUT admin/tenants/{id}/alerts"] = new(typeof(AlertsRequest), 200, typeof(AlertsResponse)),
        ["GET admin/tenants/{id}/alerts"] = new(null, 200, typeof(AlertsResponse)),
        ["DELETE admin/tenants/{id}/alerts"] = new(null, 204, null),
        ["GET admin/tenants/{id}/webhooks"] = new(null, 200, typeof(WebhookList), ("limit", "1 to 1000 (default 100), newest first.")),
        ["GET admin/export"] = new(null, 200, typeof(Metering.Events.MeteringEvent),
            ("from", "ISO 8601 (default: 24 hours before to)."), ("to", "ISO 8601 (default: now); at most 92 days after from."),
            ("format", "jsonl (default: one event per line, this schema) or csv (a header row of the same fields)."), ("tenant", "One tenant's events only."))
        {
            MediaType = "application/x-ndjson",
        },
    };

    public static string KeyOf(string? method, string? relativePath) => $"{method} {relativePath?.Replace("{**", "{", StringComparison.Ordinal)}";

    public static async Task ApplyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        operation.Responses ??= [];
        var error = await SchemaAsync(context, typeof(ErrorAnswer), cancellationToken);
        foreach (var (code, text) in new[] { ("400", "Invalid input"), ("401", "Missing or wrong admin token"), ("404", "Not found"), ("503", "A store is unreachable") })
        {
            operation.Responses[code] = Json(text, error);
        }

        if (!Operations.TryGetValue(KeyOf(description.HttpMethod, description.RelativePath), out var shape))
        {
            return;
        }

        if (shape.Body is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = await SchemaAsync(context, body, cancellationToken) } },
            };
        }

        operation.Responses.Remove("200");
        var status = shape.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        operation.Responses[status] = shape.Answer is { } answer
            ? Json(shape.Status == 201 ? "Created" : "OK", await SchemaAsync(context, answer, cancellationToken), shape.MediaType)
            : new OpenApiResponse { Description = "No content" };
        foreach (var (name, text) in shape.Query)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = text,
                Required = name == "tenant" && description.RelativePath == "admin/events",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }
    }

    /// <summary>The type's schema as a named component (its C# name, or <c>List_T</c>), referenced from the operation.</summary>
    private static async Task<IOpenApiSchema> SchemaAsync(OpenApiOperationTransformerContext context, Type type, CancellationToken cancellationToken)
    {
        var name = type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}_{type.GetGenericArguments()[0].Name}" : type.Name;
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(name) != true)
        {
            document.AddComponent(name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }

        return new OpenApiSchemaReference(name, document);
    }

    private static OpenApiResponse Json(string description, IOpenApiSchema schema, string mediaType = "application/json") => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [mediaType] = new() { Schema = schema } },
    };
}
