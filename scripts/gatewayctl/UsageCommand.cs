using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Gateway.Cli;

/// <summary><c>usage &lt;tenant&gt; [--from] [--to] [--group-by model] [--window day]</c>: a table and its total.</summary>
internal static class UsageCommand
{
    public static Command Create(GlobalOptions globals, TextWriter output, TextWriter error)
    {
        var tenant = new Argument<string>("tenant") { Description = "Tenant id." };
        var from = new Option<string>("--from") { Description = "Start, ISO 8601 (default: start of this month)." };
        var to = new Option<string>("--to") { Description = "End, ISO 8601 (default: now)." };
        var groupBy = new Option<string>("--group-by") { Description = "Comma-separated: model, feature, environment, end_user (default: model).", DefaultValueFactory = _ => "model" };
        var window = new Option<string>("--window") { Description = "hour, day or month (default: day).", DefaultValueFactory = _ => "day" };
        window.AcceptOnlyFromAmong("hour", "day", "month");
        var command = new Command("usage", "Show a tenant's usage and spend.") { tenant, from, to, groupBy, window };
        command.SetAction((parse, ct) =>
        {
            var query = $"admin/usage?tenant={Uri.EscapeDataString(parse.GetValue(tenant)!)}&group_by={Uri.EscapeDataString(parse.GetValue(groupBy)!)}&window={parse.GetValue(window)}";
            query += parse.GetValue(from) is { } f ? "&from=" + Uri.EscapeDataString(f) : "";
            query += parse.GetValue(to) is { } t ? "&to=" + Uri.EscapeDataString(t) : "";
            return CommandRunner.RunAsync(parse, globals, output, error,
                (client, c) => client.SendAsync(HttpMethod.Get, query, null, c),
                Print,
                ct);
        });
        return command;
    }

    private static void Print(JsonNode json, TextWriter output)
    {
        var dimensions = json["group_by"]!.AsArray().Select(g => g!.GetValue<string>() == "tenant" ? "tenant_id" : g!.GetValue<string>()).ToList();
        var header = new List<string> { "period" };
        header.AddRange(dimensions);
        header.AddRange(["requests", "input", "output", "cost_usd"]);
        var rows = new List<List<string>> { header };
        long requests = 0, input = 0, output_ = 0;
        decimal cost = 0;
        foreach (var row in json["data"]!.AsArray())
        {
            var cells = new List<string> { row!["period_start"]!.GetValue<DateTimeOffset>().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) };
            cells.AddRange(dimensions.Select(d => row[d]?.GetValue<string>() ?? "-"));
            var r = row["requests"]!.GetValue<long>();
            var i = row["input_tokens"]!.GetValue<long>();
            var o = row["output_tokens"]!.GetValue<long>();
            var c = row["cost"]!.GetValue<decimal>();
            (requests, input, output_, cost) = (requests + r, input + i, output_ + o, cost + c);
            cells.AddRange([N(r), N(i), N(o), c.ToString("0.000000", CultureInfo.InvariantCulture)]);
            rows.Add(cells);
        }

        var total = new List<string> { "total" };
        total.AddRange(dimensions.Select(_ => ""));
        total.AddRange([N(requests), N(input), N(output_), cost.ToString("0.000000", CultureInfo.InvariantCulture)]);
        rows.Add(total);
        var widths = Enumerable.Range(0, header.Count).Select(col => rows.Max(r => r[col].Length)).ToArray();
        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, col) => col < 1 + dimensions.Count ? cell.PadRight(widths[col]) : cell.PadLeft(widths[col]))).TrimEnd());
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
