using System.CommandLine;
using System.Text.Json.Nodes;

namespace Gateway.Cli;

/// <summary><c>tenant create &lt;id&gt; [--name]</c> and <c>tenant show &lt;id&gt;</c>.</summary>
internal static class TenantCommands
{
    public static Command Create(GlobalOptions globals, TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("id") { Description = "Tenant id: [a-z0-9][a-z0-9_-]{0,63}." };
        var name = new Option<string>("--name") { Description = "Display name (default: the id)." };
        var create = new Command("create", "Create a tenant.") { id, name };
        create.SetAction((parse, ct) => CommandRunner.RunAsync(parse, globals, output, error,
            (client, c) => client.SendAsync(HttpMethod.Post, "admin/tenants", new JsonObject { ["id"] = parse.GetValue(id), ["name"] = parse.GetValue(name) }, c),
            (json, o) => o.WriteLine($"created tenant {json["id"]} ({json["name"]}), status {json["status"]}"),
            ct));

        var showId = new Argument<string>("id") { Description = "Tenant id." };
        var show = new Command("show", "Show a tenant.") { showId };
        show.SetAction((parse, ct) => CommandRunner.RunAsync(parse, globals, output, error,
            (client, c) => client.SendAsync(HttpMethod.Get, "admin/tenants/" + Uri.EscapeDataString(parse.GetValue(showId)!), null, c),
            (json, o) => o.WriteLine($"tenant {json["id"]} ({json["name"]}), status {json["status"]}, created {json["created_at"]}"),
            ct));

        return new Command("tenant", "Tenants.") { create, show };
    }
}
