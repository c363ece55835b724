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

        // The offline audit checks keep their own flags (their --key is the log's key, not a partner's).
        if (args.Length > 1 && args[0] == "audit" && OfflineAudit.Any(c => c.Name == args[1]))
        {
            return AuditCommands.Run(args);
        }

        var root = new RootCommand($"""
            afx: the AntiFraud.Exchange command line.

            Police:    stop-payment, freeze, query-account, trace-call, suspend-number, watch, case show
            Banks and carriers: inbox, respond, serve-sim
            Operators and auditors: partners, compliance, certs issue|revoke, audit verify, health
            Try it:    demo (a whole fraud case in a minute), bench (load and soak)

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

        root.Subcommands.Add(WatchCommands.Watch());
        root.Subcommands.Add(WatchCommands.Case());
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
        return await root.Parse(args).InvokeAsync();
    }

    private static readonly (string Name, string Description)[] OfflineAudit =
    [
        ("verify-segment", "Verify an exported log segment (audit.log) against signed checkpoints: --log FILE --checkpoint FILE [...]"),
        ("verify-inclusion", "Verify a receipt against a signed checkpoint: --checkpoint FILE --index N --leaf-hash HEX --proof HEX,..."),
        ("verify-consistency", "Verify a newer checkpoint extends an older one: --old FILE --new FILE --proof HEX,..."),
        ("evidence", "When an exchange was submitted, delivered, acknowledged and answered, from the log alone: --log FILE --exchange ID"),
    ];

    private static Command Audit()
    {
        var audit = new Command("audit", "The audit log: verify the live hub as a witness, or verify exported logs offline.") { OperatorCommands.AuditVerify() };
        foreach (var (name, description) in OfflineAudit)
        {
            var offline = new Command(name, description + "\n" + AuditCommands.Usage) { TreatUnmatchedTokensAsErrors = false };
            offline.SetAction(r => AuditCommands.Run(["audit", name, .. r.UnmatchedTokens]));
            audit.Subcommands.Add(offline);
        }

        return audit;
    }
}
