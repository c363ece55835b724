using System.CommandLine;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Police;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using AntiFraud.Exchange.Protocol.Screening;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Lists;

/// <summary>afx list publish | revoke (city centres) and afx screen (banks and carriers).</summary>
internal static class ListCommands
{
    private static readonly Option<string> KindOption = new("--kind") { Description = "account | phone | domain | imei | merchant", Required = true };

    public static Command List()
    {
        var list = new Command("list", """
            Shared risk lists (涉案账户, 涉诈号码): city centres publish and revoke entries; banks and carriers screen what they
            hold against them with 'afx screen' without the list ever leaving the hub.
            """) { Publish(), Revoke() };
        return list;
    }

    private static Command Publish()
    {
        var value = new Option<string>("--value") { Description = "the value: BANK:ACCOUNT, +E164 phone, domain, IMEI or merchant id", Required = true };
        var @case = new Option<string>("--case") { Description = "the case the entry belongs to", Required = true };
        var basis = new Option<string?>("--basis") { Description = "emergency | investigation (default) | preliminary | court-order" };
        var reason = new Option<string?>("--reason") { Description = "why it is listed (police-side only)" };
        var confidence = new Option<double>("--confidence") { Description = "0..1 (default 0.9)", DefaultValueFactory = _ => 0.9 };
        var days = new Option<int>("--days") { Description = "listed for this many days (default 90)", DefaultValueFactory = _ => 90 };
        var action = new Option<string?>("--action") { Description = "hold | block | review (default: hold for accounts and merchants, block for phones)" };
        var command = new Command("publish", """
            Publish one entry (city centres). Every change is a new list version and an audit entry.
            Example:
              afx list publish --as police-shenzhen --kind account --value bank-beta:6222990000007777 --case SZ-2026-0042 --days 30
            """) { KindOption, value, @case, basis, reason, confidence, days, action };
        command.SetGuardedAction(async (r, ct) =>
        {
            var request = new PublishEntriesRequest { IdempotencyKey = "afx-" + Guid.NewGuid().ToString("N") };
            request.Add.Add(new ListEntry
            {
                Kind = Kind(r.GetValue(KindOption)!),
                Value = r.GetValue(value)!,
                Case = new CaseRef { CaseNumber = r.GetValue(@case)!, LegalBasis = SubmitCommands.ParseBasis(r.GetValue(basis), LegalBasis.CriminalInvestigation) },
                Reason = r.GetValue(reason) ?? "",
                Confidence = r.GetValue(confidence),
                ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(r.GetValue(days))),
                Action = r.GetValue(action)?.ToLowerInvariant() switch
                {
                    null => ListAction.Unspecified,
                    "hold" => ListAction.HoldTransfer,
                    "block" => ListAction.BlockCall,
                    "review" => ListAction.Review,
                    var other => throw new UsageException($"--action '{other}': use hold, block or review."),
                },
            });
            return await SendAsync(r, request, ct);
        });
        return command;
    }

    private static Command Revoke()
    {
        var ids = new Argument<string[]>("entry-id") { Description = "entries to revoke (le-...), as publish printed them", Arity = ArgumentArity.OneOrMore };
        var command = new Command("revoke", """
            Revoke entries you published: they leave every partner's screening set at its next sync (within a second for
            screeners that sync each second).
            Example:
              afx list revoke le-0193... --as police-shenzhen
            """) { ids };
        command.SetGuardedAction(async (r, ct) =>
        {
            var request = new PublishEntriesRequest { IdempotencyKey = "afx-" + Guid.NewGuid().ToString("N") };
            request.Revoke.AddRange(r.GetValue(ids)!);
            return await SendAsync(r, request, ct);
        });
        return command;
    }

    private static async Task<int> SendAsync(ParseResult r, PublishEntriesRequest request, CancellationToken ct)
    {
        using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
        var reply = await new RiskListsClient(channel).PublishAsync(request, Within(ct));
        if (r.GetValue(GlobalOptions.Json))
        {
            Output.Json(reply);
        }
        else
        {
            Console.WriteLine($"List version {reply.Version}: {reply.AddedEntryIds.Count} added ({string.Join(", ", reply.AddedEntryIds)}), "
                + $"{reply.Revoked} revoked" + (reply.Receipt is { } receipt ? $"; receipt leaf {receipt.LeafIndex}" : string.Empty));
        }

        return ExitCodes.Ok;
    }

    public static Command Screen()
    {
        var values = new Argument<string[]>("value") { Description = "values you hold: payee accounts (BANK:NUMBER), numbers, ...", Arity = ArgumentArity.OneOrMore };
        var report = new Option<bool>("--report") { Description = "report each hit to the hub (raises an alert to the unit owning the case)" };
        var outcome = new Option<string>("--outcome") { Description = "with --report: held (default) | released | contacted", DefaultValueFactory = _ => "held" };
        var phone = new Option<string?>("--customer-phone") { Description = "with --report: your customer's phone (E.164), so police can warn them" };
        var command = new Command("screen", """
            Screen values you hold against the shared risk lists. Each value is blinded before it leaves this machine: the hub
            never sees it, and you learn only whether your own values are listed (with the case and the recommended action).
            Examples:
              afx screen --as bank-alpha --kind account bank-beta:6222990000007777 bank-beta:6222990000001234
              afx screen --as bank-alpha --kind account bank-beta:6222990000007777 --report --customer-phone +8613800138000
            """) { KindOption, values, report, outcome, phone };
        command.SetGuardedAction(async (r, ct) =>
        {
            var kind = Kind(r.GetValue(KindOption)!);
            if (r.GetValue(report) && r.GetValue(phone) is null)
            {
                throw new UsageException("--report needs --customer-phone: the police warn your customer through it.");
            }

            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var client = new RiskListsClient(channel);
            var screener = new Screener(client, kind);
            await screener.SyncAsync(ct);
            var given = r.GetValue(values)!;
            var hits = await screener.ScreenAsync(given, ct);
            for (var i = 0; i < given.Length; i++)
            {
                var hit = hits[i];
                if (r.GetValue(GlobalOptions.Json))
                {
                    Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
                    {
                        value = given[i],
                        listed = hit is not null,
                        entry_id = hit?.Details.EntryId,
                        case_number = hit?.Details.CaseNumber,
                        action = hit?.Details.Action.ToString(),
                    }));
                }
                else
                {
                    Console.WriteLine(hit is null ? $"{given[i]}: not listed"
                        : $"{given[i]}: LISTED in case {hit.Details.CaseNumber} by {hit.Details.Owner.Id}: {hit.Details.Action} "
                            + $"(confidence {hit.Details.Confidence:0.00}, entry {hit.Details.EntryId})");
                }

                if (hit is not null && r.GetValue(report))
                {
                    var reported = await client.ReportHitAsync(new ReportHitRequest
                    {
                        IdempotencyKey = "afx-" + Guid.NewGuid().ToString("N"),
                        EntryId = hit.Details.EntryId,
                        Outcome = r.GetValue(outcome)!.ToLowerInvariant() switch
                        {
                            "held" => HitOutcome.Held,
                            "released" => HitOutcome.Released,
                            "contacted" => HitOutcome.CustomerContacted,
                            var other => throw new UsageException($"--outcome '{other}': use held, released or contacted."),
                        },
                        Customer = new PotentialVictim
                        {
                            Person = new Person { Phone = r.GetValue(phone) is { } p ? new PhoneNumber { E164 = p } : null },
                        },
                    }, Within(ct));
                    Console.WriteLine($"  reported: alert {reported.AlertId} raised to {hit.Details.Owner.Id}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static ListKind Kind(string text) => text.ToLowerInvariant() switch
    {
        "account" => ListKind.Account,
        "phone" => ListKind.Phone,
        "domain" => ListKind.Domain,
        "imei" => ListKind.Imei,
        "merchant" => ListKind.Merchant,
        _ => throw new UsageException($"--kind '{text}': use account, phone, domain, imei or merchant."),
    };

    private static CallOptions Within(CancellationToken ct) => new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30));
}
