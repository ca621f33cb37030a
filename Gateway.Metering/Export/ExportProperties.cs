using System.Text.Json;
using Gateway.Metering.Events;

namespace Gateway.Metering.Export;

/// <summary>
/// The event's dimensions and numbers as a flat JSON object: Lago's <c>properties</c> and OpenMeter's <c>data</c>.
/// Meters there aggregate any number (tokens by class, <c>cost_micros</c>) and group or filter by the strings. Absent:
/// nulls. Request metadata (X-Meter-*) and the raw usage block stay in the gateway.
/// </summary>
internal static class ExportProperties
{
    public static void Write(Utf8JsonWriter json, MeteringEvent e)
    {
        json.WriteStartObject();
        json.WriteString("tenant_id", e.TenantId);
        json.WriteString("key_id", e.KeyId);
        json.WriteString("provider", e.Provider);
        json.WriteString("endpoint", e.Endpoint);
        WriteIfSet(json, "model", e.Model);
        WriteIfSet(json, "served_model", e.ServedModel);
        json.WriteString("status", e.Status);
        json.WriteBoolean("billable", e.Billable);
        json.WriteBoolean("streamed", e.Streamed);
        json.WriteString("usage_source", e.UsageSource);
        WriteIfSet(json, "feature", e.Feature);
        WriteIfSet(json, "environment", e.Environment);
        WriteIfSet(json, "end_user", e.EndUser);
        foreach (var name in EventValues.Names)
        {
            json.WriteNumber(name, EventValues.Get(e, name));
        }

        json.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
