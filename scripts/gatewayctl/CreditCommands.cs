using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Cli;

/// <summary><c>topup &lt;tenant&gt; &lt;amount&gt;</c> and <c>wallet &lt;tenant&gt;</c>.</summary>
internal static class CreditCommands
{
    public static Command TopUp(GlobalOptions globals, TextWriter output, TextWriter error)
    {
        var tenant = new Argument<string>("tenant") { Description = "Tenant id." };
        var amount = new Argument<decimal>("amount") { Description = "USD to credit, e.g. 25 or 9.99." };
        var key = new Option<string>("--idempotency-key") { Description = "The same key again credits nothing (default: a new one each run)." };
        var expires = new Option<DateTimeOffset?>("--expires-at") { Description = "When what is left of this credit expires (ISO 8601)." };
        var note = new Option<string>("--note") { Description = "A note kept with the credit." };
        var command = new Command("topup", "Credit a tenant's wallet.") { tenant, amount, key, expires, note };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, globals, output, error,
            (client, c) => client.SendAsync(HttpMethod.Post, $"admin/tenants/{Uri.EscapeDataString(parse.GetValue(tenant)!)}/credits", new JsonObject
            {
                ["amount"] = parse.GetValue(amount),
                ["idempotency_key"] = parse.GetValue(key) ?? "cli-" + Guid.NewGuid().ToString("N"),
                ["expires_at"] = parse.GetValue(expires),
                ["note"] = parse.GetValue(note),
            }, c),
            (json, o) => o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"credited {json["credit"]?["amount"]} USD to {json["tenant_id"]}: balance {json["balance"]}, held {json["held"]}, available {json["available"]} {json["currency"]}")),
            ct));
        return command;
    }

    public static Command Wallet(GlobalOptions globals, TextWriter output, TextWriter error)
    {
        var tenant = new Argument<string>("tenant") { Description = "Tenant id." };
        var command = new Command("wallet", "Show a tenant's balance, holds and available credit.") { tenant };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, globals, output, error,
            (client, c) => client.SendAsync(HttpMethod.Get, $"admin/tenants/{Uri.EscapeDataString(parse.GetValue(tenant)!)}/wallet", null, c),
            (json, o) => o.WriteLine($"{json["tenant_id"]}: balance {json["balance"]}, held {json["held"]}, available {json["available"]} {json["currency"]}"),
            ct));
        return command;
    }
}
