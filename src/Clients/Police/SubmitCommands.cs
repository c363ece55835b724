using System.CommandLine;
using System.Globalization;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf.WellKnownTypes;
using Option = System.CommandLine.Option;

namespace AntiFraud.Exchange.Clients.Police;

/// <summary>afx stop-payment | freeze | query-account | trace-call | suspend-number: a police centre's requests.</summary>
internal static class SubmitCommands
{
    private static readonly Option<string> Case = new("--case") { Description = "the case number", Required = true };
    private static readonly Option<string> Basis = new("--basis") { Description = "legal basis: emergency | investigation | preliminary | court-order (default: emergency for stop-payment, investigation otherwise)" };
    private static readonly Option<string?> Reference = new("--reference") { Description = "statute article, warrant or approval number" };
    private static readonly Option<string?> Officer = new("--officer") { Description = "approving officer (required by the hub except for an emergency stop-payment)" };
    private static readonly Option<string?> PriorityOption = new("--priority") { Description = "critical | high | medium | low (default: critical for stop-payment, high otherwise)" };
    private static readonly Option<bool> Confidential = new("--confidential") { Description = "no tipping off: the responder must not alert the holder or subscriber" };
    private static readonly Option<string?> Loss = new("--loss") { Description = "the victims' reported loss in the whole case, CNY (the case's recovery rate divides by it)" };
    private static readonly Option<string?> IdempotencyKey = new("--idempotency-key") { Description = "idempotency key; repeating a command with the same key returns the same exchange (default: new)" };

    private static readonly Option<string> Bank = new("--bank") { Description = "the bank's partner id", Required = true };
    private static readonly Option<string> Account = new("--account") { Description = "account number", Required = true };
    private static readonly Option<string?> AccountName = new("--account-name") { Description = "account holder's name" };
    private static readonly Option<string> Amount = new("--amount") { Description = "amount in CNY, e.g. 49800.00", Required = true };
    private static readonly Option<string?> Victim = new("--victim") { Description = "victim's name" };
    private static readonly Option<string?> VictimPhone = new("--victim-phone") { Description = "victim's phone, E.164" };
    private static readonly Option<string?> Transfer = new("--transfer-id") { Description = "the victim's transfer into the account, as reported" };
    private static readonly Option<string?> Reason = new("--reason") { Description = "reason, shown to the responder" };
    private static readonly Option<bool> Follow = new("--follow-money") { Description = "open follow-up holds at the banks the money went on to" };
    private static readonly Option<uint> FollowDepth = new("--follow-depth") { Description = "hops to follow (default: the hub's, 3)" };
    private static readonly Option<string?> FollowMin = new("--follow-min") { Description = "do not follow onward transfers below this amount (CNY)" };

    private static readonly Option<string> Carrier = new("--carrier") { Description = "the carrier's partner id", Required = true };

    public static IEnumerable<Command> All()
    {
        yield return StopPayment();
        yield return Freeze();
        yield return QueryAccount();
        yield return TraceCall();
        yield return SuspendNumber();
    }

    private static Command WithCase(Command command, params Option[] options)
    {
        foreach (var o in (Option[])[Case, Basis, Reference, Officer, PriorityOption, Confidential, Loss, IdempotencyKey, .. options])
        {
            command.Options.Add(o);
        }

        return command;
    }

    private static Command StopPayment()
    {
        var hours = new Option<int?>("--hold-hours") { Description = "how long the hold lasts (default: the hub's policy, 48)" };
        var command = WithCase(new Command("stop-payment", """
            Emergency stop-payment: hold the victim's money in the receiving account now (legal deadline: minutes).
            Example:
              afx stop-payment --as police-shenzhen --case SZ-2026-0042 --bank bank-alpha --account 6222020200112233 --amount 49800.00 --follow-money
            """), Bank, Account, AccountName, Amount, Victim, VictimPhone, Transfer, Reason, Follow, FollowDepth, FollowMin, hours);
        command.SetGuardedAction((r, ct) => SubmitAsync(r, LegalBasis.EmergencyStopPayment, Priority.Critical, PartnerKind.Bank,
            r.GetValue(Bank)!, new Request
        {
            StopPayment = new StopPaymentNotice
            {
                Account = AccountOf(r), Amount = Cny(r.GetValue(Amount)!,
                    "--amount"), Victim = VictimOf(r), ReportedTransfer = TransferOf(r),
                HoldPeriod = r.GetValue(hours) is { } h ? Duration.FromTimeSpan(TimeSpan.FromHours(h)) : null, Reason = r.GetValue(Reason)
                    ?? "",
            },
        }, ct));
        return command;
    }

    private static Command Freeze()
    {
        var days = new Option<int?>("--days") { Description = "freeze period in days (default: until released)" };
        var command = WithCase(new Command("freeze", """
            Freeze an account or an amount in it (legal deadline: 2 hours).
            Example:
              afx freeze --as police-shenzhen --case SZ-2026-0042 --officer "Wang Jianguo" --bank bank-beta --account 6217002870012345678 --amount 30000.00 --days 180
            """), Bank, Account, AccountName, Amount, Victim, VictimPhone, Transfer, Reason, Follow, FollowDepth, FollowMin, days);
        command.SetGuardedAction((r, ct) => SubmitAsync(r, LegalBasis.CriminalInvestigation, Priority.High, PartnerKind.Bank,
            r.GetValue(Bank)!, new Request
        {
            Freeze = new FreezeNotice
            {
                Account = AccountOf(r), Amount = Cny(r.GetValue(Amount)!,
                    "--amount"), Victim = VictimOf(r), ReportedTransfer = TransferOf(r),
                FreezePeriod = r.GetValue(days) is { } d ? Duration.FromTimeSpan(TimeSpan.FromDays(d)) : null, Reason = r.GetValue(Reason)
                    ?? "",
            },
        }, ct));
        return command;
    }

    private static Command QueryAccount()
    {
        var holder = new Option<bool>("--holder") { Description = "ask for the holder" };
        var balance = new Option<bool>("--balance") { Description = "ask for the balance" };
        var transactions = new Option<bool>("--transactions") { Description = "ask for the transactions" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "transactions from (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "transactions to (ISO 8601)" };
        var command = WithCase(new Command("query-account", """
            Ask a bank for an account's holder, balance and transactions.
            Example:
              afx query-account --as police-shenzhen --case SZ-2026-0042 --officer "Wang Jianguo" --bank bank-beta --account 6217002870012345678 --holder --transactions \
                --from 2026-11-15T00:00:00+08:00 --to 2026-11-22T23:59:59+08:00
            """), Bank, Account, holder, balance, transactions, from, to);
        command.SetGuardedAction((r, ct) => SubmitAsync(r, LegalBasis.CriminalInvestigation, Priority.High, PartnerKind.Bank,
            r.GetValue(Bank)!, new Request
        {
            AccountQuery = new AccountQuery
            {
                Account = new AccountRef { BankId = r.GetValue(Bank)!, AccountNumber = r.GetValue(Account)! },
                IncludeHolder = r.GetValue(holder), IncludeBalance = r.GetValue(balance), IncludeTransactions = r.GetValue(transactions),
                TransactionsFrom = r.GetValue(from) is { } f ? Timestamp.FromDateTimeOffset(f) : null,
                TransactionsTo = r.GetValue(to) is { } t ? Timestamp.FromDateTimeOffset(t) : null,
            },
        }, ct));
        return command;
    }

    private static Command TraceCall()
    {
        var called = new Option<string>("--called") { Description = "the victim's number, E.164", Required = true };
        var presented = new Option<string?>("--presented") { Description = "the number the victim saw" };
        var at = new Option<DateTimeOffset?>("--at") { Description = "when the call came (ISO 8601)" };
        var window = new Option<int?>("--window-minutes") { Description = "search window either side of --at" };
        var sms = new Option<bool>("--sms") { Description = "an SMS rather than a voice call" };
        var command = WithCase(new Command("trace-call", """
            Ask a carrier where a call (or SMS) to the victim came from.
            Example:
              afx trace-call --as police-shenzhen --case SZ-2026-0042 --officer "Wang Jianguo" --carrier carrier-east --called +8613800138000 --presented +861095566 --at 2026-11-22T08:51:20+08:00
            """), Carrier, called, presented, at, window, sms);
        command.SetGuardedAction((r, ct) => SubmitAsync(r, LegalBasis.CriminalInvestigation, Priority.High, PartnerKind.Carrier,
            r.GetValue(Carrier)!, new Request
        {
            CallTrace = new CallTraceRequest
            {
                CalledNumber = new PhoneNumber { E164 = r.GetValue(called)! },
                PresentedNumber = r.GetValue(presented) is { } p ? new PhoneNumber { E164 = p } : null,
                CallTime = r.GetValue(at) is { } a ? Timestamp.FromDateTimeOffset(a) : null,
                Window = r.GetValue(window) is { } w ? Duration.FromTimeSpan(TimeSpan.FromMinutes(w)) : null,
                Kind = r.GetValue(sms) ? CommunicationKind.Sms : CommunicationKind.VoiceCall,
            },
        }, ct));
        return command;
    }

    private static Command SuspendNumber()
    {
        var number = new Option<string>("--number") { Description = "the number to suspend, E.164", Required = true };
        var days = new Option<int?>("--days") { Description = "suspension period (default: until lifted)" };
        var command = WithCase(new Command("suspend-number", """
            Ask a carrier to suspend a number used for fraud.
            Example:
              afx suspend-number --as police-shenzhen --case SZ-2026-0042 --officer "Wang Jianguo" --carrier carrier-east --number +85523880123 --reason "fraud calls"
            """), Carrier, number, Reason, days);
        command.SetGuardedAction((r, ct) => SubmitAsync(r, LegalBasis.CriminalInvestigation, Priority.High, PartnerKind.Carrier,
            r.GetValue(Carrier)!, new Request
        {
            NumberSuspension = new NumberSuspensionRequest
            {
                Number = new PhoneNumber { E164 = r.GetValue(number)! },
                Reason = r.GetValue(Reason) ?? "",
                Period = r.GetValue(days) is { } d ? Duration.FromTimeSpan(TimeSpan.FromDays(d)) : null,
            },
        }, ct));
        return command;
    }

    private static AccountRef AccountOf(ParseResult r) =>
        new() { BankId = r.GetValue(Bank)!, AccountNumber = r.GetValue(Account)!, AccountName = r.GetValue(AccountName) ?? "" };

    private static Person? VictimOf(ParseResult r) => r.GetValue(Victim) is null && r.GetValue(VictimPhone) is null ? null : new Person
    {
        Name = r.GetValue(Victim) ?? "",
        Phone = r.GetValue(VictimPhone) is { } phone ? new PhoneNumber { E164 = phone } : null,
    };

    private static Transaction? TransferOf(ParseResult r) =>
        r.GetValue(Transfer) is { } id ? new Transaction { TransactionId = id, Direction = TransferDirection.Credit } : null;

    /// <summary>"49800.00" CNY to fen; more than two decimals or a negative amount is a usage error.</summary>
    public static Money Cny(string text, string option)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var yuan)
            || yuan * 100 != decimal.Truncate(yuan * 100))
        {
            throw new UsageException($"{option} '{text}' is not an amount in CNY with at most two decimals (49800.00).");
        }

        return new Money { Currency = "CNY", MinorUnits = (long)(yuan * 100) };
    }

    public static LegalBasis ParseBasis(string? text, LegalBasis fallback) => text?.ToLowerInvariant() switch
    {
        null => fallback,
        "emergency" => LegalBasis.EmergencyStopPayment,
        "investigation" => LegalBasis.CriminalInvestigation,
        "preliminary" => LegalBasis.PreliminaryCheck,
        "court-order" => LegalBasis.CourtOrder,
        _ => throw new UsageException($"--basis '{text}': use emergency, investigation, preliminary or court-order."),
    };

    public static Priority ParsePriority(string? text, Priority fallback) => text?.ToLowerInvariant() switch
    {
        null => fallback,
        "critical" => Priority.Critical,
        "high" => Priority.High,
        "medium" => Priority.Medium,
        "low" => Priority.Low,
        _ => throw new UsageException($"--priority '{text}': use critical, high, medium or low."),
    };

    private static async Task<int> SubmitAsync(ParseResult r, LegalBasis basis, Priority priority, PartnerKind kind, string recipient,
        Request request, CancellationToken ct)
    {
        var submit = new SubmitRequest
        {
            IdempotencyKey = r.GetValue(IdempotencyKey) ?? Guid.NewGuid().ToString("N"),
            Recipient = new PartnerRef { Kind = kind, Id = recipient },
            Priority = ParsePriority(r.GetValue(PriorityOption), priority),
            Case = new CaseRef
            {
                CaseNumber = r.GetValue(Case)!,
                LegalBasis = ParseBasis(r.GetValue(Basis), basis),
                LegalReference = r.GetValue(Reference) ?? "",
                ApprovingOfficer = r.GetValue(Officer) ?? "",
                Confidential = r.GetValue(Confidential),
                ReportedLoss = r.GetValue(Loss) is { } loss ? Cny(loss, "--loss") : null,
            },
            Request = request,
        };
        if (r.GetResult(Follow) is not null && r.GetValue(Follow))
        {
            submit.Case.FollowTheMoney = new FollowTheMoney
            {
                Enabled = true,
                MaxDepth = r.GetValue(FollowDepth),
                MinAmount = r.GetValue(FollowMin) is { } min ? Cny(min, "--follow-min") : null,
            };
        }

        return await SendAsync(r, submit, ct);
    }

    /// <summary>Sends a submission as the caller and prints the reply (text, or --json).</summary>
    public static async Task<int> SendAsync(ParseResult r, SubmitRequest submit, CancellationToken ct)
    {
        var connection = Connection.Resolve(GlobalOptions.From(r));
        using var channel = connection.Open();
        var reply = await new ExchangeClient(channel).SubmitAsync(submit,
            new Grpc.Core.CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
        if (r.GetValue(GlobalOptions.Json))
        {
            Output.Json(reply);
        }
        else
        {
            Console.WriteLine($"{(reply.Duplicate ? "Already submitted" : "Submitted")} {reply.ExchangeId}: {Output.Kind(submit.Request)} to {submit.Recipient.Id}, "
                + $"{Output.State(reply.State)}, deadline {reply.Deadline.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss} "
                + $"({Output.Countdown(reply.Deadline, DateTimeOffset.UtcNow)}); idempotency key {submit.IdempotencyKey}");
            if (reply.Receipt is { } receipt)
            {
                var leaf = Convert.ToHexStringLower(receipt.LeafHash.Span);
                Console.WriteLine($"Audit receipt: entry {receipt.LeafIndex}, leaf hash {leaf} (log {receipt.LogOrigin}); "
                    + $"check it: afx audit verify --index {receipt.LeafIndex} --leaf-hash {leaf}");
            }

            Console.WriteLine($"Follow it: afx watch --exchange {reply.ExchangeId}");
        }

        return ExitCodes.Ok;
    }
}
