using System.CommandLine;
using AntiFraud.Exchange.Clients.Load;
using AntiFraud.Exchange.Clients.Operator;
using AntiFraud.Exchange.Clients.Police;
using AntiFraud.Exchange.Clients.Responders;

namespace AntiFraud.Exchange.Clients.Cli;

/// <summary>The afx command tree.</summary>
internal static class AfxCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Into a file or a pipe: plain text, lines as wide as they need to be.
            Spectre.Console.AnsiConsole.Profile.Capabilities.Ansi = false;
            Spectre.Console.AnsiConsole.Profile.Width = 240;
        }

        var root = new RootCommand($"""
            afx: the AntiFraud.Exchange command line.

            Police:    stop-payment, freeze, query-account, trace-call, suspend-number, submit --file, watch, case show,
                       get, cancel, release-freeze, renew-stop-payment
            Banks and carriers: inbox, respond, serve-sim, alert raise
            Early warning: alert raise|show|claim|outcome, alerts [--follow] (police units), alerts figures
            Risk lists: list publish|revoke (city centres), screen (banks and carriers)
            Operators and auditors: partners, compliance, certs issue|revoke, audit verify|query|export, health
            Offline:   audit verify-segment|verify-inclusion|verify-consistency|evidence
            Try it:    demo (a whole fraud case in a few seconds), bench (load and soak)

            Say who you are with --as PARTNER (dev certificates) or --cert/--key, and where the hub is with --hub.
            {ExitCodes.Help}
            """);
        foreach (var option in GlobalOptions.All)
        {
            root.Options.Add(option);
        }

        foreach (var command in SubmitCommands.All())
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in ExchangeCommands.All())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(WatchCommands.Watch());
        root.Subcommands.Add(WatchCommands.Case());
        root.Subcommands.Add(Alerts.AlertCommands.Alert());
        root.Subcommands.Add(Alerts.AlertCommands.Board());
        root.Subcommands.Add(Lists.ListCommands.List());
        root.Subcommands.Add(Lists.ListCommands.Screen());
        root.Subcommands.Add(Bulk.BulkCommands.Bulk());
        root.Subcommands.Add(ResponderCommands.Inbox());
        root.Subcommands.Add(ResponderCommands.Respond());
        root.Subcommands.Add(ResponderCommands.ServeSim());
        root.Subcommands.Add(OperatorCommands.Partners());
        root.Subcommands.Add(OperatorCommands.Compliance());
        root.Subcommands.Add(OperatorCommands.Certs());
        root.Subcommands.Add(OperatorCommands.Health());
        root.Subcommands.Add(Audit());
        root.Subcommands.Add(Demo.DemoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && !args.Any(a => a is "--help" or "-h" or "-?"))
        {
            // System.CommandLine exits 1 on a parse error; afx promises 2 for bad usage.
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync("afx: " + error.Message);
            }

            await Console.Error.WriteLineAsync($"Run 'afx {string.Join(' ', CommandPath(parsed.CommandResult.Command))} --help' for usage.".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync();
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return names;
    }

    private static Command Audit()
    {
        var audit = new Command("audit", """
            The audit log: verify the live hub as a witness (verify), browse or copy it as an auditor (query, export),
            or verify exported logs and receipts offline (verify-segment, verify-inclusion, verify-consistency, evidence).
            """) { OperatorCommands.AuditVerify() };
        foreach (var offline in AuditQueryCommands.All().Concat(OfflineAuditCommands.All()).Concat(DisclosureCommands.All()))
        {
            audit.Subcommands.Add(offline);
        }

        return audit;
    }
}
