using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gateway.Admin;

/// <summary>
/// The admin API's OpenAPI document at <c>GET /openapi/admin.json</c>, generated from the mapped endpoints
/// (Microsoft.AspNetCore.OpenApi), so a route cannot exist without being described. Handlers read and write their
/// JSON through source-generated contexts, which the generator cannot see: <see cref="AdminApiShapes"/> names each
/// operation's body and answer types, and their schemas come from the same contexts (snake_case, as served).
/// </summary>
internal static class AdminOpenApi
{
    public const string DocumentName = "admin";

    public const string Path = "/openapi/{documentName}.json";

    /// <summary>
    /// The contexts that hold every type <see cref="AdminApiShapes"/> names. The Native AOT binary has no reflection
    /// to fall back on: a type missing here fails the whole document there (a test checks each one resolves).
    /// </summary>
    public static readonly System.Text.Json.Serialization.JsonSerializerContext[] Contexts =
    [
        AdminJsonContext.Default,
        BillingJsonContext.Default,
        AlertAdminJsonContext.Default,
        Metering.Billing.InvoiceJsonContext.Default,
        AdminOpenApiJsonContext.Default,
    ];

    public static IServiceCollection AddAdminOpenApi(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(json =>
        {
            // Schemas of the admin types are those of the contexts that serialize them, named as served: snake_case,
            // numbers as numbers. No endpoint binds JSON implicitly, so these options shape only the document.
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            for (var i = 0; i < Contexts.Length; i++)
            {
                json.SerializerOptions.TypeInfoResolverChain.Insert(i, Contexts[i]);
            }
        });
        services.AddOpenApi(DocumentName, options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("admin/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "LLM gateway admin API",
                    Version = "1",
                    Description = "Tenants, keys, prices, plans, wallets, limits, usage, invoices and events. snake_case JSON; amounts are USD decimals. Errors: {\"error\":{\"message\",\"type\",\"param\",\"code\"}}.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["admin_token"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "Authorization: Bearer <Admin:Token>",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("admin_token", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(AdminApiShapes.ApplyAsync);
        });
        return services;
    }

    public static void MapAdminOpenApi(this WebApplication app) => app.MapOpenApi(Path);
}
