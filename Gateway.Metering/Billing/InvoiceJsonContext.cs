using System.Text.Json.Serialization;

namespace Gateway.Metering.Billing;

/// <summary>Invoices as stored (closed) and as served: snake_case.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(InvoiceDocument))]
internal sealed partial class InvoiceJsonContext : JsonSerializerContext;
