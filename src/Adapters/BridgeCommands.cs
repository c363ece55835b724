using System.CommandLine;
using System.Text;
using System.Text.Json;
using AntiFraud.Exchange.Adapters.Bridge;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AntiFraud.Exchange.Adapters;

/// <summary>The afx-bridge command line: run the bridge, look after dead letters, check a native file offline.</summary>
internal static class BridgeCommands
{
    public const int Ok = 0, Failed = 1, Usage = 2, NotPermitted = 4;

    private const string Examples = """

        Examples:
          afx-bridge run --partner bank-beta --hub https://hub.example:7443
          afx-bridge run --partner police-shenzhen       # a police unit: requests/*.json are submitted, replies in receipts/
          afx-bridge check answers/result-0001.dat
          afx-bridge check --submissions docs/samples/json/police-freeze-submit.json
          afx-bridge dead-letters list --partner bank-beta
          afx-bridge dead-letters resubmit --partner bank-beta result-0001.dat
          afx-bridge layout > layout.md

        Settings come from flags, then AFX_Bridge__<Name> environment variables, then bridge.json
        ({"Bridge": {"PartnerId": "bank-beta", "Hub": "...", "Formats": {"AccountQuery": "json"}}}).
        Exit codes: 0 success, 1 a file or dead letter failed, 2 bad usage or settings, 4 the hub refused the bridge's identity.
        """;

    private static readonly Option<string?> Partner = new("--partner",
        "-p") { Description = "the partner id registered at the hub (bank-beta)" };
    private static readonly Option<string?> Hub = new("--hub") { Description = "the hub's address, https://host:port" };
    private static readonly Option<string?> Folder = new("--folder") { Description = "the shared folder; default bridge/<partner>" };
    private static readonly Option<string?> Cert = new("--cert") { Description = "partner certificate, PEM; default certs-dev/partners/<partner>.crt" };
    private static readonly Option<string?> Key = new("--key") { Description = "partner private key, PEM; default certs-dev/partners/<partner>.key" };
    private static readonly Option<string?> Ca = new("--ca") { Description = "the hub's root CA, PEM; default certs-dev/ca/root.crt" };
    private static readonly Option<bool> JsonOutput = new("--json") { Description = "print JSON instead of text" };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("afx-bridge: connects a partner that speaks a native format (fixed-width bank records, ISO 20022, "
            + "ETSI retained data, CSV call records) to the AntiFraud.Exchange hub through folders on disk." + Examples);
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(DeadLettersCommand());
        root.Subcommands.Add(CheckCommand());
        root.Subcommands.Add(LayoutCommand());
        return await root.Parse(args).InvokeAsync();
    }

    private static Command RunCommand()
    {
        var command = new Command("run", "Run the bridge: inbox items to outbox/, answer files from answers/ to the hub; for a police unit "
            + "(its certificate says so), request files from requests/ to the hub and the replies to receipts/. "
            + "Any other setting can be given as --Bridge:<Name>=<value>, e.g. --Bridge:Formats:AccountQuery=json.")
        {
            Partner, Hub, Folder, Cert, Key, Ca,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            var stray = result.UnmatchedTokens.Where(t => !t.StartsWith("--" + BridgeOptions.Section + ":",
                StringComparison.OrdinalIgnoreCase)).ToList();
            if (stray.Count > 0)
            {
                await Console.Error.WriteLineAsync($"afx-bridge: unknown argument '{stray[0]}'. Run 'afx-bridge run --help'.");
                return Usage;
            }

            var builder = BridgeHost.CreateBuilder(ConfigArgs(result));
            using var host = BridgeHost.Build(builder, Console.Error);
            if (host is null)
            {
                return Usage;
            }

            var identity = host.Services.GetRequiredService<IdentityRefused>();
            await host.RunAsync(cancellationToken);
            if (identity.Reason is { } refused)
            {
                await Console.Error.WriteLineAsync($"afx-bridge: the hub refused this bridge's identity ({refused}). "
                    + "Check --partner and the certificate (--cert, --key): revoked, expired, not registered, or not a bank, carrier or police unit.");
                return NotPermitted;
            }

            return Ok;
        });
        return command;
    }

    private static Command DeadLettersCommand()
    {
        var list = new Command("list", "List dead letters with their reasons.") { Partner, Folder, JsonOutput };
        list.SetAction(result =>
        {
            if (WhichFolder(result) is { } problem)
            {
                Console.Error.WriteLine("afx-bridge: " + problem);
                return Usage;
            }

            var letters = Services(result).GetRequiredService<DeadLetters>().List();
            if (result.GetValue(JsonOutput))
            {
                Console.WriteLine(JsonSerializer.Serialize(letters.Select(l => new { name = l.Name, reason = l.Reason })));
                return Ok;
            }

            if (letters.Count == 0)
            {
                Console.WriteLine("No dead letters.");
            }

            foreach (var letter in letters)
            {
                Console.WriteLine($"{letter.Name}  [{letter.Direction}, {letter.Time}]");
                Console.WriteLine($"    {letter.Reason.GetValueOrDefault("position")}: {letter.Reason.GetValueOrDefault("field")}: {letter.Problem}");
            }

            return Ok;
        });

        var name = new Argument<string>("name") { Description = "the dead letter's file name, as listed" };
        var resubmit = new Command("resubmit", "Re-submit a dead letter after fixing it in place (or fixing the bridge's settings).")
        {
            name, Partner, Folder,
        };
        resubmit.SetAction(result =>
        {
            if (WhichFolder(result) is { } problem)
            {
                Console.Error.WriteLine("afx-bridge: " + problem);
                return Usage;
            }

            var services = Services(result);
            try
            {
                var destination = services.GetRequiredService<DeadLetters>().Resubmit(result.GetValue(name)!,
                    letter => services.GetRequiredService<InboxPump>().Republish(letter));
                Console.WriteLine($"Re-submitted to {destination}");
                return Ok;
            }
            catch (Exception e) when (e is FileNotFoundException or TranslationException)
            {
                Console.Error.WriteLine("afx-bridge: " + e.Message);
                return Failed;
            }
        });

        return new Command("dead-letters", "Files that failed: list them, re-submit them after a fix.") { list, resubmit };
    }

    private static Command CheckCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "a native file: .dat, .xml, .csv or .json" };
        var asRequests = new Option<bool>("--requests") { Description = "read it as requests from the hub (default: answers to the hub)" };
        var asSubmissions = new Option<bool>("--submissions") { Description = "read it as a police unit's submissions (canonical JSON SubmitRequest)" };
        var command = new Command("check",
            "Translate a native file offline and print the canonical messages, or the error with its position.")
        {
            file, asRequests, asSubmissions, Partner,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                Console.Error.WriteLine($"afx-bridge: {path.FullName} does not exist");
                return Usage;
            }

            var content = File.ReadAllBytes(path.FullName);
            var translators = new BridgeTranslators(new BridgeOptions { PartnerId = result.GetValue(Partner) ?? "check" },
                TimeProvider.System);
            try
            {
                if (result.GetValue(asSubmissions))
                {
                    var submissions = new CanonicalJson<SubmitRequest>(SubmitRequest.Descriptor);
                    Console.Write(Encoding.UTF8.GetString(submissions.Write(submissions.Read(content))));
                }
                else if (result.GetValue(asRequests))
                {
                    var reader = translators.ForRequestFile(path.Name, content);
                    Console.Write(Encoding.UTF8.GetString(new CanonicalJson<InboxItem>(InboxItem.Descriptor).Write(reader.Read(content))));
                }
                else
                {
                    var answers = translators.ForAnswer(path.Name, content).Read(content);
                    Console.Write(Encoding.UTF8.GetString(new CanonicalJson<RespondRequest>(RespondRequest.Descriptor).Write(answers)));
                }

                return Ok;
            }
            catch (TranslationException e)
            {
                Console.Error.WriteLine(e.Message);
                return Failed;
            }
        });
        return command;
    }

    private static Command LayoutCommand()
    {
        var command = new Command("layout", "Print the fixed-width record layout (AFX1) as Markdown tables.");
        command.SetAction(_ =>
        {
            Console.Write(LayoutMarkdown());
            return Ok;
        });
        return command;
    }

    /// <summary>The copybook-style tables published in docs/adapters.md.</summary>
    public static string LayoutMarkdown()
    {
        var text = new StringBuilder();
        foreach (var layout in FixedWidthLayout.All)
        {
            text.Append($"#### {layout.Type} record: {layout.Title} ({layout.Length} bytes)\n\n").Append(layout.ToMarkdown()).Append('\n');
        }

        return text.ToString();
    }

    private static string[] ConfigArgs(ParseResult result)
    {
        var args = new List<string>();
        void Add(Option<string?> option, string key)
        {
            if (result.GetValue(option) is { } value)
            {
                args.Add($"--{BridgeOptions.Section}:{key}={value}");
            }
        }

        Add(Partner, nameof(BridgeOptions.PartnerId));
        Add(Hub, nameof(BridgeOptions.Hub));
        Add(Folder, nameof(BridgeOptions.Folder));
        Add(Cert, nameof(BridgeOptions.Certificate));
        Add(Key, nameof(BridgeOptions.Key));
        Add(Ca, nameof(BridgeOptions.Ca));
        args.AddRange(result.UnmatchedTokens.Where(t => t.StartsWith("--" + BridgeOptions.Section + ":",
            StringComparison.OrdinalIgnoreCase)));
        return [.. args];
    }

    /// <summary>The bridge's services without running it, for the offline commands.</summary>
    /// <summary>Why the partner's folder cannot be used (not named, or missing), or null when it can.</summary>
    private static string? WhichFolder(ParseResult result)
    {
        var folder = result.GetValue(Folder) ?? (result.GetValue(Partner) is { Length: > 0 } partner ? Path.Combine("bridge",
            partner) : null);
        return folder is null
            ? "say whose dead letters: --partner ID (its folder is bridge/ID) or --folder DIR."
            : Directory.Exists(folder) ? null : $"the bridge folder '{Path.GetFullPath(folder)}' does not exist: check --partner or --folder.";
    }

    private static IServiceProvider Services(ParseResult result)
    {
        return BridgeHost.CreateBuilder(ConfigArgs(result)).Build().Services;
    }
}
