using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Functional;

/// <summary>
/// The admin API's OpenAPI document (<c>GET /openapi/admin.json</c>) against the endpoints actually mapped, the
/// answers actually served, and the copy checked in at docs/openapi/admin.json. After changing the admin API,
/// regenerate that copy with <c>GATEWAY_UPDATE_OPENAPI=1 dotnet test --filter AdminOpenApiTests</c>.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AdminOpenApiTests(GatewayFixture fixture)
{
    private GatewayHost Gateway => fixture.Simulated;

    [Fact]
    public async Task Document_EveryAdminEndpoint_IsDescribedWithItsBodyAndAnswer()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!.AsObject();
        var mapped = Gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/admin", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods
                .Select(m => (Method: m.ToLowerInvariant(), Path: e.RoutePattern.RawText!.Replace("{**", "{", StringComparison.Ordinal))))
            .ToHashSet();
        var described = paths.SelectMany(p => p.Value!.AsObject().Select(o => (Method: o.Key, Path: p.Key))).ToHashSet();

        Assert.True(mapped.Count >= 25, $"only {mapped.Count} admin endpoints found");
        Assert.Empty(mapped.Except(described));
        Assert.Empty(described.Except(mapped));
        foreach (var (method, path) in described)
        {
            var operation = paths[path]![method]!;
            var responses = operation["responses"]!.AsObject();
            var success = responses.Where(r => r.Key.StartsWith('2')).ToList();
            Assert.True(success.Count == 1, $"{method} {path}: one success answer described");
            Assert.True(success[0].Key == "204" || success[0].Value!["content"]?.AsObject().SingleOrDefault().Value?["schema"] is not null, $"{method} {path}: no answer schema (add it to AdminApiShapes)");
            Assert.Equal("#/components/schemas/ErrorAnswer", responses["401"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
            if (method is "put" || (method is "post" && path is not "/admin/invoices/{period}/close"))
            {
                Assert.True(operation["requestBody"]?["content"]?["application/json"]?["schema"] is not null, $"{method} {path}: no body schema (add it to AdminApiShapes)");
            }
        }

        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["admin_token"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task Document_Schemas_MatchWhatTheApiAnswers()
    {
        var document = await DocumentAsync();
        var (tenant, _, _) = await Gateway.NewTenantAsync(credit: 3m);
        var schemas = document["components"]!["schemas"]!;

        await AssertShapeAsync($"/admin/tenants/{tenant}/wallet", schemas["WalletResponse"]!, optional: ["credit"]);
        await AssertShapeAsync($"/admin/tenants/{tenant}/limits", schemas["LimitsBody"]!);
        await AssertShapeAsync($"/admin/tenants/{tenant}", schemas["TenantResponse"]!);
        await AssertShapeAsync($"/admin/events?tenant={tenant}", schemas["EventPage"]!);
        await AssertShapeAsync($"/admin/usage?tenant={tenant}&group_by=model", schemas["UsageAnswer"]!);
        var unauthorized = await new HttpClient().GetAsync(Gateway.BaseUrl + "/admin/tenants/" + tenant);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        var error = await unauthorized.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(Properties(schemas["ErrorAnswer"]!), error!.Select(p => p.Key).ToHashSet());
    }

    [Fact]
    public void Shapes_EveryBodyAndAnswerType_ResolvedByTheContextsWithoutReflection()
    {
        // Under the JIT a missing type falls back to reflection; the Native AOT binary answered the document with 500.
        var resolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(global::Gateway.Admin.AdminOpenApi.Contexts);
        var options = new JsonSerializerOptions { TypeInfoResolver = resolver, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        var missing = global::Gateway.Admin.AdminApiShapes.Operations
            .SelectMany(o => new[] { (o.Key, Type: o.Value.Body), (o.Key, Type: o.Value.Answer) })
            .Where(t => t.Type is not null && resolver.GetTypeInfo(t.Type, options) is null)
            .Select(t => $"{t.Key}: {t.Type!.Name}")
            .ToList();

        Assert.True(missing.Count == 0, "Not in AdminOpenApi.Contexts: " + string.Join("; ", missing));
    }

    [Fact]
    public async Task Document_EqualsTheCheckedInCopy()
    {
        var document = await DocumentAsync();
        document.Remove("servers"); // the address the document was fetched from
        var served = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var file = Path.Combine(RepositoryRoot(), "docs", "openapi", "admin.json");
        if (Environment.GetEnvironmentVariable("GATEWAY_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, served);
        }

        Assert.True(File.Exists(file), $"{file} is missing: run GATEWAY_UPDATE_OPENAPI=1 dotnet test --filter AdminOpenApiTests");
        var checkedIn = await File.ReadAllTextAsync(file);
        Assert.True(checkedIn == served, "The admin API changed but docs/openapi/admin.json did not: review the change, then run GATEWAY_UPDATE_OPENAPI=1 dotnet test --filter AdminOpenApiTests");
    }

    private async Task<JsonObject> DocumentAsync()
    {
        using var http = new HttpClient(); // the document is public: it describes, it does not answer
        var response = await http.GetAsync(Gateway.BaseUrl + "/openapi/admin.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        return document;
    }

    /// <summary>The answer's top-level fields are exactly the schema's properties (those in <paramref name="optional"/> may be absent).</summary>
    private async Task AssertShapeAsync(string url, JsonNode schema, params string[] optional)
    {
        var answer = await Gateway.Admin.GetFromJsonAsync<JsonObject>(url);
        var expected = Properties(schema);
        var actual = answer!.Select(p => p.Key).ToHashSet();
        Assert.True(expected.SetEquals(actual.Union(optional)), $"{url}: served {string.Join(",", actual.Order())}; documented {string.Join(",", expected.Order())}");
    }

    private static HashSet<string> Properties(JsonNode schema) => schema["properties"]!.AsObject().Select(p => p.Key).ToHashSet();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("gateway.sln not found above the test binaries.");
    }
}
