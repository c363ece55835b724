using System.CommandLine;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Police;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Responders;

/// <summary>afx inbox, afx respond, afx serve-sim: the bank's and the carrier's side.</summary>
internal static class ResponderCommands
{
    public static Command Inbox()
    {
        var follow = new Option<bool>("--follow") { Description = "take work as it arrives and keep following (Ctrl+C to stop); items are leased and recorded delivered" };
        var lease = new Option<bool>("--lease") { Description = "take the waiting work once: items are leased and recorded delivered, and come again unless acknowledged" };
        var ack = new Option<bool>("--ack") { Description = "with --lease or --follow: acknowledge each item as it is shown" };
        var window = new Option<uint>("--window") { Description = "with --lease or --follow: items the hub may send ahead unacknowledged (default 32)" };
        var max = new Option<uint>("--max") { Description = "without --lease/--follow: how many items to list (default 50, at most 500)" };
        var command = new Command("inbox", """
            List the work waiting for you, most urgent first. A listing changes nothing: no item is leased or recorded delivered.
            To take the work, use --lease (once) or --follow (and keep following); items not acknowledged come again later.
            Examples:
              afx inbox --as bank-beta
              afx inbox --as bank-beta --follow --ack --json
            """) { follow, lease, ack, window, max };
        command.SetGuardedAction(async (r, ct) =>
        {
            var connection = Connection.Resolve(GlobalOptions.From(r));
            using var channel = connection.Open();
            var inbox = new InboxClient(channel);
            var json = r.GetValue(GlobalOptions.Json);
            if (!r.GetValue(follow) && !r.GetValue(lease))
            {
                if (r.GetValue(ack))
                {
                    throw new UsageException("--ack takes the items: use it with --lease or --follow.");
                }

                var peek = await inbox.PeekAsync(new PeekRequest { MaxItems = r.GetValue(max) }, new CallOptions(cancellationToken: ct));
                foreach (var item in peek.Items)
                {
                    ShowItem(item, json);
                }

                if (!json)
                {
                    Console.WriteLine(peek.Outstanding == 0 ? "Nothing waiting."
                        : peek.Outstanding > peek.Items.Count ? $"{peek.Items.Count} of {peek.Outstanding} item(s) shown."
                        : $"{peek.Outstanding} item(s).");
                }

                return ExitCodes.Ok;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // A following desk also hears when one of its exchanges nears or passes its deadline (duty notices).
            using var call = inbox.Subscribe(new SubscribeRequest { MaxInFlight = r.GetValue(window), DutyNotices = r.GetValue(follow) },
                new CallOptions(cancellationToken: stop.Token));
            var count = 0;
            while (true)
            {
                var next = call.ResponseStream.MoveNext(stop.Token);
                if (!r.GetValue(follow) && await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(2), ct)) != next)
                {
                    await stop.CancelAsync();
                    break;
                }

                if (!await next)
                {
                    break;
                }

                var item = call.ResponseStream.Current;
                if (item.DutyNotice is { } notice)
                {
                    // Not work: nothing to acknowledge.
                    ShowNotice(notice, json);
                    continue;
                }

                count++;
                ShowItem(item, json);
                if (r.GetValue(ack))
                {
                    await inbox.AckAsync(new AckRequest { ExchangeId = item.ExchangeId }, new CallOptions(cancellationToken: ct));
                }
            }

            if (!json)
            {
                Console.WriteLine(count == 0 ? "Nothing waiting." : $"{count} item(s) taken.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void ShowItem(InboxItem item, bool json)
    {
        if (json)
        {
            Output.Json(item);
            return;
        }

        Console.WriteLine($"{item.Priority.ToString().ToUpperInvariant(),-8} {item.ExchangeId}  {Output.Kind(item.Request)} from {item.From.Id}, "
            + $"case {item.Case.CaseNumber}, deadline {Output.Countdown(item.Deadline, DateTimeOffset.UtcNow)}"
            + (item.ParentExchangeId.Length > 0 && item.CaseWindowEndsAt is { } window
                ? $", the case's golden window {Output.Countdown(window, DateTimeOffset.UtcNow)}" : "")
            + $"{(item.DeliveryAttempt > 1 ? $", delivery {item.DeliveryAttempt}" : "")}{(item.Case.Confidential ? ", CONFIDENTIAL" : "")}");
    }

    public static Command Respond()
    {
        var exchange = new Option<string>("--exchange") { Description = "the exchange to answer", Required = true };
        var file = new Option<FileInfo?>("--file") { Description = "a RespondRequest (or Result) in protobuf JSON; native formats go through afx-bridge" };
        var kind = new Option<string?>("--kind") { Description = "stop-payment | freeze | release | return | query | trace | suspension (with --status)" };
        var status = new Option<string?>("--status") { Description = "the result status, e.g. executed, partial, account-not-found, found, suspended" };
        var amount = new Option<string?>("--amount") { Description = "amount held or released, CNY" };
        var reason = new Option<string?>("--reason") { Description = "a note for the police" };
        var reject = new Option<string?>("--reject") { Description = "refuse the request, with this reason" };
        var command = new Command("respond", """
            Answer an exchange: from a JSON file, from flags, or refuse it.
            Examples:
              afx respond --as bank-beta --exchange ex-... --kind freeze --status executed --amount 30000.00
              afx respond --as bank-beta --exchange ex-... --reject "not our customer"
              afx respond --as carrier-east --exchange ex-... --file trace-result.json
            """) { exchange, file, kind, status, amount, reason, reject };
        command.SetGuardedAction(async (r, ct) =>
        {
            var request = new RespondRequest { ExchangeId = r.GetValue(exchange)! };
            if (r.GetValue(reject) is { } refusal)
            {
                request.RejectionReason = refusal;
            }
            else if (r.GetValue(file) is { } f)
            {
                request.Result = ReadResult(f, request.ExchangeId);
            }
            else
            {
                request.Result = FromFlags(r.GetValue(kind), r.GetValue(status), r.GetValue(amount), r.GetValue(reason) ?? "");
            }

            var connection = Connection.Resolve(GlobalOptions.From(r));
            using var channel = connection.Open();
            var reply = await new InboxClient(channel).RespondAsync(request,
                new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(reply);
            }
            else
            {
                Console.WriteLine($"{request.ExchangeId}: {Output.State(reply.State)}"
                    + (reply.FollowUpExchangeIds.Count > 0 ? $"; the hub opened follow-ups: {string.Join(", ", reply.FollowUpExchangeIds)}" : ""));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Result ReadResult(FileInfo file, string exchangeId)
    {
        if (!file.Exists)
        {
            throw new UsageException($"--file {file.FullName} does not exist.");
        }

        var text = File.ReadAllText(file.FullName);
        var parser = new JsonParser(JsonParser.Settings.Default);
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("result", out _) || doc.RootElement.TryGetProperty("exchangeId", out _))
            {
                var respond = parser.Parse<RespondRequest>(text);
                if (respond.ExchangeId.Length > 0 && respond.ExchangeId != exchangeId)
                {
                    throw new UsageException($"--file names exchange {respond.ExchangeId}, not {exchangeId}.");
                }

                return respond.Result;
            }

            return parser.Parse<Result>(text);
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or System.Text.Json.JsonException or FormatException)
        {
            throw new UsageException($"--file {file.Name}: {e.Message}");
        }
    }

    private static void ShowNotice(DutyNotice notice, bool json)
    {
        if (json)
        {
            Output.Json(notice);
            return;
        }

        var what = notice.Level == EscalationLevel.DeadlinePassed ? "PASSED its deadline" : "is NEAR its deadline";
        Console.WriteLine($"DUTY NOTICE  {notice.ExchangeId} ({notice.RequestKind}, {notice.Priority.ToString().ToUpperInvariant()}, from "
            + $"{notice.Submitter?.Id}) {what} {notice.Deadline?.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm:ss}"
            + (notice.DutyContact.Length > 0 ? $"; your desk: {notice.DutyContact}" : ""));
    }

    private static Result FromFlags(string? kind, string? status, string? amount, string reason)
    {
        if (kind is null || status is null)
        {
            throw new UsageException("give --file, --reject, or --kind with --status.");
        }

        T Parse<T>(string prefix)
            where T : struct, System.Enum =>
            System.Enum.TryParse<T>(status.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var value)
                && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) != 0
                ? value
                : throw new UsageException($"--status '{status}' is not a {prefix} status: use {string.Join(", ", System.Enum.GetNames<T>().Skip(1).Select(n => n.ToLowerInvariant()))}.");
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var money = amount is null ? null : SubmitCommands.Cny(amount, "--amount");
        return kind.ToLowerInvariant() switch
        {
            "stop-payment" => new Result { StopPayment = new HoldResult { Status = Parse<HoldStatus>("hold"), AmountHeld = money, ExecutedAt = now, Reason = reason } },
            "freeze" => new Result { Freeze = new HoldResult { Status = Parse<HoldStatus>("hold"), AmountHeld = money, ExecutedAt = now, Reason = reason } },
            "release" => new Result { FreezeRelease = new FreezeReleaseResult { Status = Parse<ReleaseStatus>("release"), AmountReleased = money, ReleasedAt = now, Reason = reason } },
            "return" => new Result { FundReturn = new FundReturnResult { Status = Parse<ReturnStatus>("return"), AmountReturned = money, ReturnedAt = now, Reason = reason } },
            "query" => new Result { AccountQuery = new AccountQueryResult { Status = Parse<QueryStatus>("query"), Reason = reason } },
            "trace" => new Result { CallTrace = new CallTraceResult { Status = Parse<TraceStatus>("trace"), Reason = reason } },
            "suspension" => new Result { NumberSuspension = new SuspensionResult { Status = Parse<SuspensionStatus>("suspension"), SuspendedAt = now, Reason = reason } },
            _ => throw new UsageException($"--kind '{kind}': use stop-payment, freeze, release, return, query, trace or suspension."),
        };
    }

    public static Command ServeSim()
    {
        var kind = new Option<string>("--kind") { Description = "bank | carrier", Required = true };
        var latency = new Option<TimeSpan>("--latency") { Description = "how long to take before answering (e.g. 00:00:02)", DefaultValueFactory = _ => TimeSpan.FromMilliseconds(300) };
        var behaviour = new Option<Behaviour>("--behaviour") { Description = "answer | partial | reject | silent", DefaultValueFactory = _ => Behaviour.Answer };
        var onward = new Option<string?>("--onward-to") { Description = "bank only: report that part of held money had moved on to this bank (the hub follows it)" };
        var raise = new Option<TimeSpan?>("--raise-every") { Description = "also raise an early-warning alert this often (a bank: a paused transfer; a carrier: fraud calls), e.g. 00:00:10" };
        var command = new Command("serve-sim", """
            A simulated bank or carrier: acknowledges and answers its inbox with plausible results until stopped.
            Examples:
              afx serve-sim --kind bank --as bank-alpha --onward-to bank-beta
              afx serve-sim --kind carrier --as carrier-east --latency 00:00:05
              afx serve-sim --kind bank --as bank-beta --behaviour silent      # to watch deadlines escalate
              afx serve-sim --kind carrier --as carrier-west --raise-every 00:00:10
            """) { kind, latency, behaviour, onward, raise };
        command.SetGuardedAction(async (r, ct) =>
        {
            if (r.GetValue(kind) is not ("bank" or "carrier"))
            {
                throw new UsageException($"--kind '{r.GetValue(kind)}': use bank or carrier.");
            }

            var connection = Connection.Resolve(GlobalOptions.From(r));
            using var channel = connection.Open();
            var simulator = new Simulator(channel, connection.Partner, new SimulatorOptions(r.GetValue(latency), r.GetValue(behaviour),
                r.GetValue(onward)), TimeProvider.System);
            var raiser = new Alerts.AlertRaiser(channel, r.GetValue(kind)!);
            raiser.Log += line => simulator.Report(line);
            var raising = r.GetValue(raise) is { } every && every > TimeSpan.Zero ? raiser.RunAsync(every, ct) : Task.CompletedTask;
            if (r.GetValue(GlobalOptions.Json))
            {
                simulator.Log += line => Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { time = DateTimeOffset.UtcNow,
                    partner = connection.Partner, message = line }));
                await Task.WhenAll(simulator.RunAsync(ct), raising);
                return ExitCodes.Ok;
            }

            simulator.Log += line => AnsiConsole.MarkupLine($"[grey]{DateTimeOffset.Now:HH:mm:ss}[/] {Markup.Escape(line)}");
            AnsiConsole.MarkupLine($"Simulated {r.GetValue(kind)} [bold]{Markup.Escape(connection.Partner)}[/] on {Markup.Escape(connection.Hub)}: {r.GetValue(behaviour)}, latency {r.GetValue(latency)}. Ctrl+C stops.");
            await Task.WhenAll(simulator.RunAsync(ct), raising);
            return ExitCodes.Ok;
        });
        return command;
    }
}
