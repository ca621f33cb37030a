using System.CommandLine;
using System.Text.Json.Nodes;

namespace Gateway.Cli;

/// <summary>Runs one admin call for a command and prints the outcome: the JSON (<c>--json</c>) or its text form.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(
        ParseResult parse,
        GlobalOptions globals,
        TextWriter output,
        TextWriter error,
        Func<AdminClient, CancellationToken, Task<AdminAnswer>> call,
        Action<JsonNode, TextWriter> print,
        CancellationToken cancellationToken)
    {
        using var client = globals.Client(parse, error);
        if (client is null)
        {
            return 2;
        }

        var answer = await call(client, cancellationToken);
        if (!answer.Ok)
        {
            await error.WriteLineAsync("error: " + answer.Error);
            return 1;
        }

        if (parse.GetValue(globals.Json))
        {
            await output.WriteLineAsync(answer.Text);
        }
        else
        {
            print(answer.Json ?? new JsonObject(), output); // 204: nothing came back
        }

        return 0;
    }
}
