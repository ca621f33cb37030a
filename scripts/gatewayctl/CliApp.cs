using System.CommandLine;

namespace Gateway.Cli;

/// <summary>
/// <c>gatewayctl</c>: the admin API's common tasks. The gateway's address comes from <c>--url</c> or
/// <c>GATEWAY_URL</c>, the admin token from <c>--token</c> or <c>GATEWAY_ADMIN_TOKEN</c>; it is sent as a bearer
/// header, never in a URL. Exit codes: 0 done, 1 the gateway refused or could not be reached, 2 bad usage.
/// </summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url") { Description = "Gateway root URL (default: $GATEWAY_URL or http://127.0.0.1:8080).", Recursive = true };
        var token = new Option<string>("--token") { Description = "Admin token (default: $GATEWAY_ADMIN_TOKEN).", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer instead of text.", Recursive = true };
        var globals = new GlobalOptions(url, token, json);
        var root = new RootCommand("gatewayctl: manage tenants, keys, credit and usage of an LLM gateway through its admin API.")
        {
            url, token, json,
            TenantCommands.Create(globals, output, error),
            KeyCommands.Create(globals, output, error),
            CreditCommands.TopUp(globals, output, error),
            CreditCommands.Wallet(globals, output, error),
            UsageCommand.Create(globals, output, error),
        };
        var parse = root.Parse(args);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return parse.Errors.Count > 0 ? 2 : code;
    }
}
