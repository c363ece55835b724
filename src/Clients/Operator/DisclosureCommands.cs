using System.CommandLine;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Transparency;
using Google.Protobuf;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Operator;

/// <summary>
/// afx audit open | verify-opening (a commitment's salt and body, checked offline) and afx audit disclosure request | decide | show |
/// list (break-glass: an auditor asks, a second one decides, the owners see it).
/// </summary>
internal static class DisclosureCommands
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static IEnumerable<Command> All() => [Open(), VerifyOpening(), Disclosure()];

    private static CallOptions Call(CancellationToken ct) => new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30));

    private static Command Open()
    {
        var index = new Option<ulong?>("--index") { Description = "the entry's leaf index (a receipt's)" };
        var exchange = new Option<string?>("--exchange") { Description = "instead of --index: every entry of this exchange you may open" };
        var output = new Option<FileInfo>("--out")
        {
            Description = "where to write the opening (JSON); with --exchange a folder, one entry-<index>.json per entry",
            Required = true,
        };
        var disclosure = new Option<string?>("--disclosure") { Description = "an auditor's approved disclosure of the entry's exchange" };
        var command = new Command("open", """
            Open audit entries' commitments: the hub returns each one's salt and exact body, with the inclusion proof and a signed
            checkpoint, written to --out for `afx audit verify-opening`. Open to the entry's sender, the recipient of a delivery,
            and an auditor with an approved disclosure.
            Examples:
              afx audit open --index 42 --out opening-42.json --as police-shenzhen
              afx audit open --exchange ex-... --out openings/ --as bank-alpha
            """) { index, exchange, output, disclosure };
        command.SetGuardedAction(async (r, ct) =>
        {
            if (r.GetValue(index) is null == r.GetValue(exchange) is null)
            {
                throw new UsageException("give --index N (one entry) or --exchange ID (every entry of it you may open), not both.");
            }

            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var client = new AuditClient(channel);
            var target = r.GetValue(output)!;
            if (r.GetValue(index) is { } leaf)
            {
                var opening = await client.OpenCommitmentAsync(new OpenCommitmentRequest
                {
                    LeafIndex = leaf,
                    DisclosureId = r.GetValue(disclosure) ?? string.Empty,
                }, Call(ct));
                await WriteAsync(opening, target.FullName, ct);
                return ExitCodes.Ok;
            }

            var all = await client.OpenExchangeCommitmentsAsync(new OpenExchangeCommitmentsRequest
            {
                ExchangeId = r.GetValue(exchange)!,
                DisclosureId = r.GetValue(disclosure) ?? string.Empty,
            }, Call(ct));
            Directory.CreateDirectory(target.FullName);
            foreach (var opening in all.Openings)
            {
                await WriteAsync(opening, Path.Combine(target.FullName, $"entry-{opening.Proof.LeafIndex}.json"), ct);
            }

            // Bodies beyond one answer's size are fetched one by one.
            foreach (var rest in all.Remaining)
            {
                var opening = await client.OpenCommitmentAsync(new OpenCommitmentRequest
                {
                    LeafIndex = rest,
                    DisclosureId = r.GetValue(disclosure) ?? string.Empty,
                }, Call(ct));
                await WriteAsync(opening, Path.Combine(target.FullName, $"entry-{rest}.json"), ct);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task WriteAsync(CommitmentOpening opening, string path, CancellationToken ct)
    {
        await File.WriteAllTextAsync(path, JsonFormatter.Default.Format(opening) + "\n", ct);
        Console.WriteLine($"entry {opening.Proof.LeafIndex} ({opening.Entry.Kind}, {opening.Entry.ExchangeId}): {opening.BodyType}, "
            + $"{opening.Body.Length} bytes, written to {path}; check it with: afx audit verify-opening {path}");
    }

    private static Command VerifyOpening()
    {
        var file = new Argument<FileInfo>("opening") { Description = "the file afx audit open wrote" };
        var body = new Option<FileInfo?>("--body") { Description = "check this body (raw protobuf bytes) instead of the one in the file" };
        var key = new Option<string?>("--log-key") { Description = "the log's public keys, PEM (default certs-dev/audit/log-signing.pub)" };
        var command = new Command("verify-opening", """
            Offline: check that an opened commitment is in the signed log and that SHA-256(salt || body) is what the entry committed
            to, so this exact content was sent or delivered. Exit 0 verified, 1 not, 2 bad usage.
            Example:
              afx audit verify-opening opening-42.json
            """) { file, body, key };
        command.SetGuardedAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!;
            if (!path.Exists)
            {
                throw new UsageException($"'{path.FullName}' does not exist.");
            }

            CommitmentOpening opening;
            try
            {
                opening = Parser.Parse<CommitmentOpening>(await File.ReadAllTextAsync(path.FullName, ct));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new UsageException($"'{path.FullName}' is not an opening written by afx audit open: {e.Message}");
            }

            var keys = SignedCheckpoint.ReadPublicKeys(await File.ReadAllTextAsync(r.GetValue(key) ?? Connection.DevPath("audit", "log-signing.pub"), ct));
            var other = r.GetValue(body) is { } b ? await File.ReadAllBytesAsync(b.FullName, ct) : null;
            var outcome = CommitmentVerifier.Verify(opening, keys, other);
            Console.WriteLine((outcome.Valid ? "VERIFIED: " : "FAILED: ") + outcome.Message);
            return outcome.Valid ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }

    private static Command Disclosure()
    {
        var exchange = new Option<string>("--exchange") { Description = "the exchange to see in clear", Required = true };
        var reason = new Option<string>("--reason") { Description = "the court order or legal instrument", Required = true };
        var request = new Command("request", """
            Ask to see one exchange in clear (break-glass). A second auditor must approve; the exchange's submitter and recipient see it.
            Example:
              afx audit disclosure request --exchange ex-... --reason "court order (2026) 0305 123" --as auditor-national
            """) { exchange, reason };
        request.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            Say(r, await new AuditClient(channel).RequestDisclosureAsync(new RequestDisclosureRequest
            {
                ExchangeId = r.GetValue(exchange)!,
                Reason = r.GetValue(reason)!,
            }, Call(ct)));
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("disclosure-id") { Description = "the disclosure (dis-...)" };
        var refuse = new Option<bool>("--refuse") { Description = "refuse instead of approve" };
        var note = new Option<string?>("--note") { Description = "why" };
        var decide = new Command("decide", """
            Approve (or --refuse) another auditor's pending disclosure.
            Example:
              afx audit disclosure decide dis-... --note "order checked" --as auditor-provincial
            """) { id, refuse, note };
        decide.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            Say(r, await new AuditClient(channel).DecideDisclosureAsync(new DecideDisclosureRequest
            {
                DisclosureId = r.GetValue(id)!,
                Approve = !r.GetValue(refuse),
                Note = r.GetValue(note) ?? string.Empty,
            }, Call(ct)));
            return ExitCodes.Ok;
        });

        var showId = new Argument<string>("disclosure-id") { Description = "your approved disclosure (dis-...)" };
        var show = new Command("show", """
            The exchange of your approved disclosure, in clear (printed as JSON).
            Example:
              afx audit disclosure show dis-... --as auditor-national
            """) { showId };
        show.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            Output.Json(await new AuditClient(channel).DiscloseAsync(new DiscloseRequest { DisclosureId = r.GetValue(showId)! }, Call(ct)));
            return ExitCodes.Ok;
        });

        var list = new Command("list", """
            Disclosures of your data (auditors: all), newest first.
            Example:
              afx audit disclosure list --as police-shenzhen
            """);
        list.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var all = await new AuditClient(channel).ListDisclosuresAsync(new ListDisclosuresRequest(), Call(ct));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(all);
                return ExitCodes.Ok;
            }

            foreach (var d in all.Disclosures)
            {
                Say(r, d);
            }

            if (all.Disclosures.Count == 0)
            {
                Console.WriteLine("no disclosures");
            }

            return ExitCodes.Ok;
        });
        return new Command("disclosure", "Break-glass disclosure: request, decide (a second auditor), show, list.") { request, decide, show, list };
    }

    private static void Say(ParseResult r, Disclosure d)
    {
        if (r.GetValue(GlobalOptions.Json))
        {
            Output.Json(d);
            return;
        }

        var decided = d.DecidedBy is null ? string.Empty : $", decided by {d.DecidedBy.Id} at {d.DecidedAt.ToDateTimeOffset():u}";
        Console.WriteLine($"{d.DisclosureId} {d.State.ToString().ToUpperInvariant()}: exchange {d.ExchangeId} (case {d.CaseNumber}), requested by "
            + $"{d.RequestedBy?.Id} at {d.RequestedAt.ToDateTimeOffset():u}{decided}; reason: {d.Reason}");
    }
}
