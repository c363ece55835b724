using System.CommandLine;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Police;

/// <summary>afx get | cancel | release-freeze | renew-stop-payment | return-funds | submit --file: a police centre's work on its
/// exchanges.</summary>
internal static class ExchangeCommands
{
    private static readonly Argument<string> ExchangeId = new("exchange-id") { Description = "the exchange (ex-...), as Submit returned it" };

    public static IEnumerable<Command> All() => [Get(), Cancel(), ReleaseFreeze(), RenewStopPayment(), ReturnFunds(), Submit()];

    private static Command Get()
    {
        var command = new Command("get", """
            Show one of your exchanges: its state, deadline, request and answer (masked for you, as every read).
            Example:
              afx get ex-0193... --as police-shenzhen
            """) { ExchangeId };
        command.SetGuardedAction(async (r, ct) =>
        {
            var record = await GetAsync(r, r.GetValue(ExchangeId)!, ct);
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(record);
            }
            else
            {
                Console.WriteLine($"{record.ExchangeId}: {Output.Kind(record.Request)} to {record.To.Id}, case {record.Case.CaseNumber}, {Output.State(record.State)}, "
                    + $"deadline {record.Deadline.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss} ({Output.Countdown(record.Deadline, DateTimeOffset.UtcNow)})");
                if (record.Result is not null)
                {
                    Console.WriteLine("Answer: " + new JsonFormatter(JsonFormatter.Settings.Default).Format(record.Result));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Cancel()
    {
        var reason = new Option<string?>("--reason") { Description = "why it is withdrawn (only a salted commitment of it enters the audit log)" };
        var command = new Command("cancel", """
            Withdraw one of your exchanges that is not answered yet; the recipient no longer receives it.
            Example:
              afx cancel ex-0193... --as police-shenzhen --reason "victim found the money"
            """) { ExchangeId, reason };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var record = await new ExchangeClient(channel).CancelAsync(new CancelExchangeRequest { ExchangeId = r.GetValue(ExchangeId)!,
                Reason = r.GetValue(reason) ?? "" },
                Within(ct));
            Print(r, record, "Cancelled");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ReleaseFreeze()
    {
        var reason = new Option<string?>("--reason") { Description = "why the freeze is released, shown to the bank" };
        var officer = new Option<string?>("--officer") { Description = "approving officer (default: the freeze's)" };
        var command = new Command("release-freeze", """
            Release a freeze you issued: the same bank, account and case.
            Example:
              afx release-freeze ex-0193... --as police-shenzhen --officer "Wang Jianguo" --reason "funds returned to the victim"
            """) { ExchangeId, reason, officer };
        command.SetGuardedAction(async (r, ct) =>
        {
            var freeze = await GetAsync(r, r.GetValue(ExchangeId)!, ct);
            if (freeze.Request.KindCase != Request.KindOneofCase.Freeze)
            {
                throw new UsageException($"{freeze.ExchangeId} is a {Output.Kind(freeze.Request)}, not a freeze.");
            }

            return await SubmitCommands.SendAsync(r, FollowOn(freeze, r.GetValue(officer), "release", new Request
            {
                FreezeRelease = new FreezeRelease
                {
                    FreezeExchangeId = freeze.ExchangeId, Account = freeze.Request.Freeze.Account, Reason = r.GetValue(reason) ?? "",
                },
            }), ct);
        });
        return command;
    }

    private static Command RenewStopPayment()
    {
        var hours = new Option<int?>("--hold-hours") { Description = "how long the renewed hold lasts (default: the hub's policy)" };
        var officer = new Option<string?>("--officer") { Description = "approving officer (default: the stop-payment's)" };
        var command = new Command("renew-stop-payment", """
            Renew a stop-payment you issued before its hold lapses: the same bank, account, amount and case.
            The hub limits how often a hold may be renewed; after that, freeze the account.
            Example:
              afx renew-stop-payment ex-0193... --as police-shenzhen --hold-hours 48
            """) { ExchangeId, hours, officer };
        command.SetGuardedAction(async (r, ct) =>
        {
            var previous = await GetAsync(r, r.GetValue(ExchangeId)!, ct);
            if (previous.Request.KindCase != Request.KindOneofCase.StopPayment)
            {
                throw new UsageException($"{previous.ExchangeId} is a {Output.Kind(previous.Request)}, not a stop-payment.");
            }

            var renewed = previous.Request.StopPayment.Clone();
            renewed.RenewsExchangeId = previous.ExchangeId;
            renewed.HoldPeriod = r.GetValue(hours) is { } h ? Duration.FromTimeSpan(TimeSpan.FromHours(h)) : null;
            return await SubmitCommands.SendAsync(r, FollowOn(previous, r.GetValue(officer), "renewal",
                new Request { StopPayment = renewed }), ct);
        });
        return command;
    }

    private static Command ReturnFunds()
    {
        var amount = new Option<string>("--amount") { Description = "how much to return, CNY (at most what the hold still has)", Required = true };
        var toBank = new Option<string>("--to-bank") { Description = "the bank of the victim's own account (any bank)", Required = true };
        var toAccount = new Option<string>("--to-account") { Description = "the victim's own account number", Required = true };
        var toName = new Option<string?>("--to-name") { Description = "the holder of the victim's account" };
        var decision = new Option<string>("--decision") { Description = "the return decision's number (返还决定书)", Required = true };
        var officer = new Option<string?>("--officer") { Description = "approving officer (default: the hold's; required when the hold was an emergency stop-payment sent before approval)" };
        var reason = new Option<string?>("--reason") { Description = "reason, shown to the bank" };
        var command = new Command("return-funds", """
            Return held money to the victim (资金返还): the bank that made a stop-payment or freeze you issued pays an amount out of it
            into the victim's own account, on your return decision. The hub refuses more than the hold still has.
            Example:
              afx return-funds ex-0193... --as police-shenzhen --officer "Wang Jianguo" --amount 30000.00 --to-bank bank-beta --to-account 6217009900001111 --to-name 李小梅 --decision "深公(南)返字〔2026〕042号"
            """) { ExchangeId, amount, toBank, toAccount, toName, decision, officer, reason };
        command.SetGuardedAction(async (r, ct) =>
        {
            var hold = await GetAsync(r, r.GetValue(ExchangeId)!, ct);
            var (account, victim) = hold.Request.KindCase switch
            {
                Request.KindOneofCase.StopPayment => (hold.Request.StopPayment.Account, hold.Request.StopPayment.Victim),
                Request.KindOneofCase.Freeze => (hold.Request.Freeze.Account, hold.Request.Freeze.Victim),
                _ => throw new UsageException($"{hold.ExchangeId} is a {Output.Kind(hold.Request)}, not a stop-payment or freeze."),
            };
            var submit = FollowOn(hold, r.GetValue(officer), "return", new Request
            {
                FundReturn = new FundReturn
                {
                    HoldExchangeId = hold.ExchangeId, Account = account, Amount = SubmitCommands.Cny(r.GetValue(amount)!, "--amount"),
                    VictimAccount = new AccountRef
                    {
                        BankId = r.GetValue(toBank)!, AccountNumber = r.GetValue(toAccount)!, AccountName = r.GetValue(toName) ?? "",
                    },
                    Victim = victim, DecisionReference = r.GetValue(decision)!, Reason = r.GetValue(reason) ?? "",
                },
            });
            // Returning money is not an emergency: a day by default, not the hold's minutes.
            submit.Priority = Priority.Medium;
            return await SubmitCommands.SendAsync(r, submit, ct);
        });
        return command;
    }

    private static Command Submit()
    {
        var file = new Option<FileInfo>("--file") { Description = "a SubmitRequest in canonical JSON (docs/samples/json/police-freeze-submit.json)", Required = true };
        var command = new Command("submit", """
            Submit a request a case system exported as a file: a SubmitRequest in canonical (protobuf) JSON.
            The file's idempotency key makes a repeated submission return the same exchange.
            Example:
              afx submit --as police-shenzhen --file docs/samples/json/police-freeze-submit.json
            """) { file };
        command.SetGuardedAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!;
            if (!path.Exists)
            {
                throw new UsageException($"--file '{path.FullName}' does not exist.");
            }

            SubmitRequest submit;
            try
            {
                submit = new JsonParser(JsonParser.Settings.Default).Parse<SubmitRequest>(await File.ReadAllTextAsync(path.FullName, ct));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new UsageException($"--file '{path.FullName}' is not a SubmitRequest in canonical JSON: {e.Message}");
            }

            return await SubmitCommands.SendAsync(r, submit, ct);
        });
        return command;
    }

    /// <summary>A request that follows an earlier exchange: same recipient, case and priority, its own idempotency key.</summary>
    private static SubmitRequest FollowOn(ExchangeRecord earlier, string? officer, string what, Request request)
    {
        var @case = earlier.Case.Clone();
        if (officer is not null)
        {
            @case.ApprovingOfficer = officer;
        }

        @case.FollowTheMoney = null;
        return new SubmitRequest
        {
            IdempotencyKey = $"{earlier.ExchangeId}/{what}/{Guid.NewGuid():N}",
            Recipient = earlier.To,
            Priority = earlier.Priority,
            Case = @case,
            Request = request,
        };
    }

    private static async Task<ExchangeRecord> GetAsync(ParseResult r, string id, CancellationToken ct)
    {
        using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
        return await new ExchangeClient(channel).GetAsync(new GetExchangeRequest { ExchangeId = id }, Within(ct));
    }

    private static CallOptions Within(CancellationToken ct) => new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30));

    private static void Print(ParseResult r, ExchangeRecord record, string verb)
    {
        if (r.GetValue(GlobalOptions.Json))
        {
            Output.Json(record);
            return;
        }

        Console.WriteLine($"{verb} {record.ExchangeId}: {Output.Kind(record.Request)} to {record.To.Id}, {Output.State(record.State)}");
    }
}
