using System.CommandLine;
using System.Text.Json.Nodes;

namespace Gateway.Cli;

/// <summary><c>key issue &lt;tenant&gt; [--name]</c> and <c>key revoke &lt;key-id&gt;</c>.</summary>
internal static class KeyCommands
{
    public static Command Create(GlobalOptions globals, TextWriter output, TextWriter error)
    {
        var tenant = new Argument<string>("tenant") { Description = "Tenant id." };
        var name = new Option<string>("--name") { Description = "A name for the key (default: default)." };
        var issue = new Command("issue", "Issue a virtual key; it is shown once, here.") { tenant, name };
        issue.SetAction((parse, ct) => CommandRunner.RunAsync(parse, globals, output, error,
            (client, c) => client.SendAsync(HttpMethod.Post, $"admin/tenants/{Uri.EscapeDataString(parse.GetValue(tenant)!)}/keys", new JsonObject { ["name"] = parse.GetValue(name) }, c),
            (json, o) =>
            {
                o.WriteLine($"key {json["id"]} ({json["name"]}) for tenant {json["tenant_id"]}:");
                o.WriteLine(json["key"]?.GetValue<string>());
                o.WriteLine("Store it now: the gateway keeps only its hash.");
            },
            ct));

        var keyId = new Argument<string>("key-id") { Description = "The key's id (not the key)." };
        var revoke = new Command("revoke", "Revoke a key on every gateway.") { keyId };
        revoke.SetAction((parse, ct) => CommandRunner.RunAsync(parse, globals, output, error,
            (client, c) => client.SendAsync(HttpMethod.Delete, "admin/keys/" + Uri.EscapeDataString(parse.GetValue(keyId)!), null, c),
            (_, o) => o.WriteLine($"revoked key {parse.GetValue(keyId)}"),
            ct));

        return new Command("key", "Virtual keys.") { issue, revoke };
    }
}
