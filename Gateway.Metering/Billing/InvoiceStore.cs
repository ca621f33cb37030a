using System.Text.Json;
using Dapper;
using Npgsql;

namespace Gateway.Metering.Billing;

/// <summary>Closed invoices: written once, never changed.</summary>
internal sealed class InvoiceStore(NpgsqlDataSource dataSource)
{
    public async Task<InvoiceDocument?> FindAsync(string tenantId, BillingPeriod period, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT document::text FROM invoices WHERE tenant_id = @tenantId AND period = @period",
            new { tenantId, period = period.Name, cancellationToken });
        return json is null ? null : JsonSerializer.Deserialize(json, InvoiceJsonContext.Default.InvoiceDocument);
    }

    /// <summary>False when the invoice was closed before (the first one stays).</summary>
    public async Task<bool> CloseAsync(InvoiceDocument invoice, CancellationToken cancellationToken)
    {
        // Typed, not var: Dapper.AOT's generator does not see the JSON generator's context, so it would not know the
        // type of a var here, and would leave the call to Dapper's run-time code without a word.
        string document = JsonSerializer.Serialize(invoice, InvoiceJsonContext.Default.InvoiceDocument);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "INSERT INTO invoices (tenant_id, period, closed_at, document) VALUES (@tenant, @period, @closedAt, @document::jsonb) ON CONFLICT DO NOTHING",
            new { tenant = invoice.TenantId, period = invoice.Period, closedAt = invoice.ClosedAt, document, cancellationToken }) == 1;
    }

    /// <summary>Tenants with something to invoice in the period: events, meter events, or a plan.</summary>
    public async Task<IReadOnlyList<string>> TenantsAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(
            """
            SELECT DISTINCT tenant_id FROM usage_daily WHERE bucket >= @from AND bucket < @to
            UNION SELECT DISTINCT tenant_id FROM meter_events WHERE occurred_at >= @from AND occurred_at < @to
            UNION SELECT DISTINCT tenant_id FROM tenant_pricing WHERE plan_id IS NOT NULL AND effective_from < @to
            ORDER BY 1
            """,
            new { from = period.Start, to = period.End, cancellationToken })];
    }
}
