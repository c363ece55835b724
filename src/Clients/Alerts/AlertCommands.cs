using System.CommandLine;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Police;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Alerts;

/// <summary>afx alert raise | show | claim | outcome, and afx alerts (the tiered board, --follow) and afx alerts figures.</summary>
internal static class AlertCommands
{
    private static readonly Argument<string> AlertId = new("alert-id") { Description = "the alert (al-...), as Raise returned it" };

    public static Command Alert()
    {
        var alert = new Command("alert", """
            Early warning and dissuasion (预警劝阻). Banks and carriers raise signals about a potential victim; the hub fuses
            them into one alert per person, grades it (critical, high, medium, low) and sends it to the police unit that must
            reach the person first. Police units claim it and report the outcome; the raiser sees the outcome.
            """) { Raise(), Show(), Claim(), Outcome() };
        return alert;
    }

    private static Command Raise()
    {
        var phone = new Option<string?>("--victim-phone") { Description = "the potential victim's phone, E.164 (+8613800138000)" };
        var name = new Option<string?>("--victim-name") { Description = "their name" };
        var id = new Option<string?>("--victim-id") { Description = "their ID number" };
        var address = new Option<string?>("--victim-address") { Description = "their address" };
        var division = new Option<string?>("--division") { Description = "GB/T 2260 division code of the address (6 digits, or 9 for the township): routes the alert" };
        var account = new Option<string?>("--victim-account") { Description = "banks: the customer's own account" };
        var transfer = new Option<string?>("--transfer") { Description = "banks: the suspicious outgoing transfer's amount in CNY" };
        var payeeBank = new Option<string?>("--payee-bank") { Description = "banks: the payee's bank (partner id, or any bank code)" };
        var payeeAccount = new Option<string?>("--payee-account") { Description = "banks: the payee's account number" };
        var paused = new Option<bool>("--paused") { Description = "banks: you paused the transfer and wait for the police outcome" };
        var channel = new Option<string?>("--channel") { Description = "banks: MOBILE, ONLINE, ATM, COUNTER, THIRD_PARTY_PAY" };
        var calls = new Option<uint?>("--calls") { Description = "carriers: how many calls (or SMS with --sms) from the suspect" };
        var sms = new Option<bool>("--sms") { Description = "carriers: the contacts were SMS, not calls" };
        var suspect = new Option<string?>("--suspect-number") { Description = "carriers: the number that called, as presented" };
        var gateway = new Option<string?>("--gateway") { Description = "carriers: the international or interconnect gateway" };
        var international = new Option<bool>("--international") { Description = "carriers: the calls came in from abroad" };
        var spoofed = new Option<bool>("--spoofed") { Description = "carriers: the presented number does not match the originating network" };
        var minutes = new Option<double?>("--minutes") { Description = "carriers: total call time in minutes" };
        var cards = new Option<uint?>("--cards-opened") { Description = "carriers: abnormal card openings on one ID (how many cards)" };
        var analysis = new Option<string?>("--analysis") { Description = "city centres: the finding of your own analysis" };
        var tier = new Option<string?>("--tier") { Description = "your suggested tier: critical | high | medium (default) | low" };
        var note = new Option<string?>("--note") { Description = "free text for the police unit" };
        var key = new Option<string?>("--idempotency-key") { Description = "repeating a raise with the same key adds nothing (default: new)" };
        var command = new Command("raise", """
            Raise an early-warning signal about a potential victim. Exactly one of --transfer (banks), --calls or
            --cards-opened (carriers), --analysis (city centres). Signals about the same person (phone, ID number or account)
            from any partner within the hub's fusion window join one alert; the policy may raise its tier.
            Examples:
              afx alert raise --as carrier-east --victim-phone +8613800138000 --division 440304001 --calls 3 \
                --suspect-number +85230001234 --international --spoofed --minutes 42 --tier high
              afx alert raise --as bank-alpha --victim-phone +8613800138000 --transfer 50000 --payee-bank bank-beta \
                --payee-account 6222990000007777 --paused
            """) { phone, name, id, address, division, account, transfer, payeeBank, payeeAccount, paused, channel, calls, sms, suspect,
                gateway, international, spoofed, minutes, cards, analysis, tier, note, key };
        command.SetGuardedAction(async (r, ct) =>
        {
            var victim = new PotentialVictim
            {
                Person = new Person
                {
                    Name = r.GetValue(name) ?? "",
                    NationalId = r.GetValue(id) ?? "",
                    Phone = r.GetValue(phone) is { } p ? new PhoneNumber { E164 = p } : null,
                    Address = r.GetValue(address) ?? "",
                },
                DivisionCode = r.GetValue(division) ?? "",
                Account = r.GetValue(account) is { } a ? new AccountRef { AccountNumber = a } : null,
            };
            var signal = new AlertSignal { SuggestedTier = Tier(r.GetValue(tier)), Note = r.GetValue(note) ?? "" };
            var kinds = new object?[] { r.GetValue(transfer), r.GetValue(calls), r.GetValue(cards), r.GetValue(analysis) }.Count(v => v is not null);
            if (kinds != 1)
            {
                throw new UsageException("give exactly one of --transfer, --calls, --cards-opened or --analysis.");
            }

            if (r.GetValue(transfer) is { } amount)
            {
                signal.BankTransfer = new BankTransferSignal
                {
                    Amount = SubmitCommands.Cny(amount, "--transfer"),
                    Payee = new AccountRef { BankId = r.GetValue(payeeBank) ?? "", AccountNumber = r.GetValue(payeeAccount) ?? "" },
                    Paused = r.GetValue(paused),
                    Channel = r.GetValue(channel) ?? "MOBILE",
                    InitiatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                };
            }
            else if (r.GetValue(calls) is { } count)
            {
                signal.SuspiciousCalls = new SuspiciousCallsSignal
                {
                    Kind = r.GetValue(sms) ? CommunicationKind.Sms : CommunicationKind.VoiceCall,
                    Count = count,
                    SuspectNumber = r.GetValue(suspect) is { } s ? new PhoneNumber { E164 = s } : null,
                    Gateway = r.GetValue(gateway) ?? "",
                    International = r.GetValue(international),
                    SpoofingSuspected = r.GetValue(spoofed),
                    TotalDuration = r.GetValue(minutes) is { } m ? Duration.FromTimeSpan(TimeSpan.FromMinutes(m)) : null,
                    LastAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                };
            }
            else if (r.GetValue(cards) is { } opened)
            {
                signal.CardOpening = new CardOpeningSignal { CardsOpened = opened };
            }
            else
            {
                signal.Analysis = new AnalysisSignal { Model = "afx", Summary = r.GetValue(analysis)! };
            }

            using var channelToHub = Connection.Resolve(GlobalOptions.From(r)).Open();
            var reply = await new AlertsClient(channelToHub).RaiseAsync(new RaiseAlertRequest
            {
                IdempotencyKey = r.GetValue(key) ?? "afx-" + Guid.NewGuid().ToString("N"),
                Victim = victim,
                Signal = signal,
            }, Within(ct));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(reply);
            }
            else
            {
                Console.WriteLine($"{(reply.Duplicate ? "Already raised" : reply.Fused ? "Fused into" : "Raised")} {reply.AlertId}: "
                    + $"tier {TierName(reply.Tier)}, signal {reply.SignalId}"
                    + (reply.Receipt is { } receipt ? $", receipt leaf {receipt.LeafIndex} in {receipt.LogOrigin}" : string.Empty));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var command = new Command("show", """
            One alert as you may see it: police units the whole alert, a raiser its own signals and the outcome (with the
            advice for a paused transfer), auditors pseudonyms.
            Example:
              afx alert show al-0193... --as bank-alpha
            """) { AlertId };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var alert = await new AlertsClient(channel).GetAsync(new GetAlertRequest { AlertId = r.GetValue(AlertId)! }, Within(ct));
            Print(r, alert);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Claim()
    {
        var command = new Command("claim", """
            Claim an alert dispatched to your unit: you are on it (the same as acknowledging its inbox item).
            Example:
              afx alert claim al-0193... --as police-sz-futian-shatou
            """) { AlertId };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var alert = await new AlertsClient(channel).ClaimAsync(new ClaimAlertRequest { AlertId = r.GetValue(AlertId)! }, Within(ct));
            Print(r, alert);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Outcome()
    {
        var kind = new Argument<string>("outcome")
        {
            Description = "contacted | visited | dissuaded | already-transferred | unreachable | false-positive | duplicate",
        };
        var note = new Option<string?>("--note") { Description = "what happened, for the police record (raisers see it redacted)" };
        var at = new Option<DateTimeOffset?>("--at") { Description = "when it happened (ISO 8601; default now)" };
        var stop = new Option<bool>("--stop-payment") { Description = "with already-transferred: open an emergency stop-payment at the payee's bank now" };
        var caseNumber = new Option<string?>("--case") { Description = "the case for that stop-payment (default: the alert id)" };
        var command = new Command("outcome", """
            Report what your unit did: contacted and visited are progress; dissuaded, already-transferred, unreachable,
            false-positive and duplicate close the alert. With already-transferred --stop-payment the hub opens an
            emergency stop-payment on the payee account of the bank's signal, in the same step.
            Examples:
              afx alert outcome al-0193... dissuaded --as police-sz-futian-shatou --note "officer on site, transfer cancelled"
              afx alert outcome al-0193... already-transferred --stop-payment --as police-sz-futian
            """) { AlertId, kind, note, at, stop, caseNumber };
        command.SetGuardedAction(async (r, ct) =>
        {
            var outcome = new AlertOutcome { Kind = OutcomeKind(r.GetValue(kind)!), Note = r.GetValue(note) ?? "" };
            if (r.GetValue(at) is { } when)
            {
                outcome.At = Timestamp.FromDateTimeOffset(when);
            }

            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var reply = await new AlertsClient(channel).ReportOutcomeAsync(new ReportOutcomeRequest
            {
                AlertId = r.GetValue(AlertId)!,
                Outcome = outcome,
                OpenStopPayment = r.GetValue(stop),
                CaseNumber = r.GetValue(caseNumber) ?? "",
            }, Within(ct));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(reply);
            }
            else
            {
                Console.WriteLine($"Reported {outcome.Kind} on {reply.Alert.AlertId}: alert {reply.Alert.State.ToString().ToUpperInvariant()}"
                    + (reply.StopPaymentExchangeId.Length > 0 ? $"; stop-payment {reply.StopPaymentExchangeId} opened" : string.Empty)
                    + (reply.Receipt is { } receipt ? $"; receipt leaf {receipt.LeafIndex}" : string.Empty));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Board()
    {
        var open = new Option<bool>("--open") { Description = "only alerts without a final outcome" };
        var follow = new Option<bool>("--follow") { Description = "keep the board on screen, refreshed every second, with countdowns" };
        var hours = new Option<int>("--hours") { Description = "alerts first raised in the last N hours (default 24)", DefaultValueFactory = _ => 24 };
        var timeout = new Option<int?>("--timeout") { Description = "with --follow: stop after this many seconds" };
        var command = new Command("alerts", """
            The alerts you may see, most urgent tier first: for a police unit the ones dispatched to it (or below it), with
            the time left to make contact; for a bank or carrier the ones it raised, with their outcome.
            Examples:
              afx alerts --as police-sz-futian --open --follow
              afx alerts --as bank-alpha --json
              afx alerts figures --as auditor-national --days 30
            """) { open, follow, hours, timeout, Figures() };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var client = new AlertsClient(channel);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (r.GetValue(timeout) is { } seconds)
            {
                limit.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            do
            {
                var now = DateTimeOffset.UtcNow;
                AlertList list;
                try
                {
                    list = await client.ListAsync(new ListAlertsRequest
                    {
                        From = Timestamp.FromDateTimeOffset(now.AddHours(-Math.Max(1, r.GetValue(hours)))),
                        OpenOnly = r.GetValue(open),
                    }, Within(limit.Token));
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && limit.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    return ExitCodes.Ok;
                }

                if (r.GetValue(GlobalOptions.Json))
                {
                    Output.Json(list);
                }
                else
                {
                    if (r.GetValue(follow) && !Console.IsOutputRedirected)
                    {
                        Console.Clear();
                    }

                    PrintBoard(list, now);
                }

                if (!r.GetValue(follow))
                {
                    break;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), limit.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    break;
                }
            }
            while (!limit.IsCancellationRequested);

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Figures()
    {
        var days = new Option<int>("--days") { Description = "the last N days (default 30)", DefaultValueFactory = _ => 30 };
        var command = new Command("figures", """
            Early-warning figures per tier, raiser and police unit: alerts, fusion, dispatch latency, time to contact, contact
            within the deadline, dissuaded and false-positive rates, accuracy (target 95%) and money saved in paused transfers.
            For police units and auditors. Example:
              afx alerts figures --as auditor-national --days 7
            """) { days };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var now = DateTimeOffset.UtcNow;
            var figures = await new OperationsClient(channel).GetAlertFiguresAsync(new GetAlertFiguresRequest
            {
                From = Timestamp.FromDateTimeOffset(now.AddDays(-Math.Max(1, r.GetValue(days)))),
                To = Timestamp.FromDateTimeOffset(now.AddSeconds(1)),
            }, Within(ct));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(figures);
                return ExitCodes.Ok;
            }

            Console.WriteLine($"{"",-7} {"key",-26} {"alerts",6} {"fused",5} {"dispatch p50/p99",17} {"contact p50",11} {"in time",7} "
                + $"{"dissuaded",9} {"false +",7} {"accuracy",8} {"saved",16}");
            foreach (var row in figures.Rows.Where(x => x.Alerts > 0 || x.Dimension == "tier"))
            {
                Console.WriteLine($"{row.Dimension,-7} {row.Key,-26} {row.Alerts,6} {row.Fused,5} "
                    + $"{Span(row.MedianDispatchLatency) + "/" + Span(row.P99DispatchLatency),17} {Span(row.MedianTimeToContact),11} "
                    + $"{row.ContactWithinDeadlineRate,7:P0} {row.DissuadedRate,9:P0} {row.FalsePositiveRate,7:P0} {row.Accuracy,8:P0} "
                    + $"{Output.Money(row.Saved),16}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Span(Duration? d) =>
        d is null ? "-" : d.ToTimeSpan() is var t && t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0}ms" : t.TotalMinutes < 1 ? $"{t.TotalSeconds:0.0}s"
        : $"{(int)t.TotalMinutes}m{t.Seconds:D2}s";

    private static void PrintBoard(AlertList list, DateTimeOffset now)
    {
        Console.WriteLine($"{list.Alerts.Count} of {list.Matched} alerts, most urgent first ({now.ToLocalTime():HH:mm:ss})");
        Console.WriteLine($"{"tier",-8} {"alert",-36} {"state",-9} {"contact",-14} {"signals",7} {"victim",-18} {"units / outcome"}");
        foreach (var alert in list.Alerts)
        {
            var deadline = alert.Assignments.Where(a => a.State is ExchangeState.Submitted or ExchangeState.Delivered or ExchangeState.Acknowledged)
                .Select(a => a.ContactDeadline).MinBy(d => d?.ToDateTimeOffset());
            var who = alert.Outcomes.Count > 0
                ? $"{alert.Outcomes[^1].Kind} by {alert.Outcomes[^1].Unit.Id}" + (alert.HoldAdvice != HoldAdvice.Unspecified ? $" ({alert.HoldAdvice})" : "")
                : string.Join(", ", alert.Assignments.Select(a => $"{a.Unit.Id} ({a.Role})"));
            Console.WriteLine($"{TierName(alert.Tier),-8} {alert.AlertId,-36} {alert.State.ToString().ToUpperInvariant(),-9} "
                + $"{(deadline is null ? "-" : Output.Countdown(deadline, now)),-14} {alert.SignalCount,7} "
                + $"{alert.Victim?.Person?.Phone?.E164 ?? "-",-18} {who}");
        }
    }

    private static void Print(ParseResult r, AlertView alert)
    {
        if (r.GetValue(GlobalOptions.Json))
        {
            Output.Json(alert);
            return;
        }

        Console.WriteLine($"{alert.AlertId}: tier {TierName(alert.Tier)} ({alert.TierReason}), {alert.State.ToString().ToUpperInvariant()}, "
            + $"{alert.SignalCount} signal(s), first raised {alert.FirstRaisedAt.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss}");
        if (alert.Victim?.Person is { } person)
        {
            Console.WriteLine($"  person: {person.Name} {person.Phone?.E164} {person.NationalId} {person.Address} {alert.Victim.DivisionCode}".TrimEnd());
        }

        foreach (var s in alert.Signals)
        {
            Console.WriteLine($"  signal {s.SignalId} from {s.Raiser.Id}: {Describe(s)}");
        }

        foreach (var a in alert.Assignments)
        {
            Console.WriteLine($"  {a.Role,-9} {a.Unit.Id,-26} {a.State.ToString().ToUpperInvariant(),-12} contact {Output.Countdown(a.ContactDeadline, DateTimeOffset.UtcNow)}");
        }

        foreach (var o in alert.Outcomes)
        {
            Console.WriteLine($"  outcome {o.Kind} by {o.Unit.Id} at {o.At.ToDateTimeOffset().ToLocalTime():HH:mm:ss}: {o.Note}".TrimEnd());
        }

        if (alert.HoldAdvice != HoldAdvice.Unspecified)
        {
            Console.WriteLine($"  paused transfer: {alert.HoldAdvice}");
        }
    }

    private static string Describe(AlertSignal s) => s.KindCase switch
    {
        AlertSignal.KindOneofCase.BankTransfer => $"transfer {Output.Money(s.BankTransfer.Amount)} to {s.BankTransfer.Payee?.BankId} "
            + $"{s.BankTransfer.Payee?.AccountNumber}{(s.BankTransfer.Paused ? " (paused)" : "")}",
        AlertSignal.KindOneofCase.SuspiciousCalls => $"{s.SuspiciousCalls.Count} {s.SuspiciousCalls.Kind} from {s.SuspiciousCalls.SuspectNumber?.E164} "
            + $"{s.SuspiciousCalls.Gateway}{(s.SuspiciousCalls.International ? " international" : "")}{(s.SuspiciousCalls.SpoofingSuspected ? " spoofed" : "")}",
        AlertSignal.KindOneofCase.CardOpening => $"{s.CardOpening.CardsOpened} cards opened",
        AlertSignal.KindOneofCase.Analysis => "analysis: " + s.Analysis.Summary,
        _ => "?",
    };

    public static string TierName(Priority tier) => tier.ToString().ToUpperInvariant();

    private static Priority Tier(string? text) => text?.ToLowerInvariant() switch
    {
        null => Priority.Unspecified,
        "critical" => Priority.Critical,
        "high" => Priority.High,
        "medium" => Priority.Medium,
        "low" => Priority.Low,
        _ => throw new UsageException($"--tier '{text}' is not critical, high, medium or low."),
    };

    private static AlertOutcomeKind OutcomeKind(string text) => text.ToLowerInvariant() switch
    {
        "contacted" or "contacted-by-phone" => AlertOutcomeKind.ContactedByPhone,
        "visited" => AlertOutcomeKind.Visited,
        "dissuaded" => AlertOutcomeKind.Dissuaded,
        "already-transferred" => AlertOutcomeKind.AlreadyTransferred,
        "unreachable" => AlertOutcomeKind.Unreachable,
        "false-positive" => AlertOutcomeKind.FalsePositive,
        "duplicate" => AlertOutcomeKind.Duplicate,
        _ => throw new UsageException(
            $"outcome '{text}' is not contacted, visited, dissuaded, already-transferred, unreachable, false-positive or duplicate."),
    };

    private static CallOptions Within(CancellationToken ct) => new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30));
}
