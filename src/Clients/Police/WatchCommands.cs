using System.CommandLine;
using System.Threading.Channels;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Spectre.Console;

namespace AntiFraud.Exchange.Clients.Police;

/// <summary>afx watch and afx case show: following a case as it happens.</summary>
internal static class WatchCommands
{
    public static Command Watch()
    {
        var exchange = new Option<string?>("--exchange") { Description = "watch one exchange" };
        var @case = new Option<string?>("--case") { Description = "watch every exchange of a case, including follow-ups" };
        var after = new Option<ulong>("--after") { Description = "resume after this event sequence (0 replays everything)" };
        var untilDone = new Option<bool>("--until-done") { Description = "exit once every watched exchange is answered, refused, cancelled or expired" };
        var timeout = new Option<int?>("--timeout") { Description = "give up after this many seconds (exit 3)" };
        var command = new Command("watch", """
            A live view of an exchange or a case: each exchange, its state, a countdown to its deadline, and the fund-trace tree.
            With --json, one JSON event per line. Examples:
              afx watch --as police-shenzhen --case SZ-2026-0042
              afx watch --as police-shenzhen --exchange ex-... --until-done --json
            """) { exchange, @case, after, untilDone, timeout };
        command.SetGuardedAction(async (r, ct) =>
        {
            var request = new WatchRequest { AfterSequence = r.GetValue(after) };
            if (r.GetValue(exchange) is { } id)
            {
                request.ExchangeId = id;
            }
            else if (r.GetValue(@case) is { } number)
            {
                request.CaseNumber = number;
            }
            else
            {
                throw new UsageException("give --exchange ID or --case NUMBER.");
            }

            var connection = Connection.Resolve(GlobalOptions.From(r));
            using var channel = connection.Open();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (r.GetValue(timeout) is { } seconds)
            {
                limit.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            try
            {
                return await WatchAsync(new ExchangeClient(channel), request, r.GetValue(GlobalOptions.Json), r.GetValue(untilDone),
                    limit.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"afx: watch timed out after {r.GetValue(timeout)} s before everything was done.");
                return ExitCodes.Unreachable;
            }
        });
        return command;
    }

    private static async Task<int> WatchAsync(ExchangeClient client, WatchRequest request, bool json, bool untilDone, CancellationToken ct)
    {
        using var call = client.Watch(request, new Grpc.Core.CallOptions(cancellationToken: ct));
        var events = Channel.CreateUnbounded<WatchEvent>();
        var reader = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(ct))
                {
                    await events.Writer.WriteAsync(call.ResponseStream.Current, ct);
                }

                events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                events.Writer.TryComplete(e);
            }
        }, ct);

        var records = new Dictionary<string, ExchangeRecord>(StringComparer.Ordinal);
        bool Done() => records.Count > 0 && records.Values.All(x => CaseTable.IsDone(x.State));
        var title = request.ExchangeId.Length > 0 ? "exchange " + request.ExchangeId : "case " + request.CaseNumber;
        var live = !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

        async Task<bool> Next(TimeSpan wait)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            tick.CancelAfter(wait);
            try
            {
                if (!await events.Reader.WaitToReadAsync(tick.Token))
                {
                    return false;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return true;
            }

            while (events.Reader.TryRead(out var e))
            {
                records[e.ExchangeId] = e.Snapshot;
                if (json)
                {
                    Output.Json(e);
                }
                else if (!live)
                {
                    Console.WriteLine(Line(e));
                }
            }

            return true;
        }

        if (live)
        {
            await AnsiConsole.Live(CaseTable.Render(title, records.Values, DateTimeOffset.UtcNow)).StartAsync(async ctx =>
            {
                while (await Next(TimeSpan.FromSeconds(1)) && !(untilDone && Done()))
                {
                    ctx.UpdateTarget(CaseTable.Render(title, records.Values, DateTimeOffset.UtcNow));
                }

                ctx.UpdateTarget(CaseTable.Render(title, records.Values, DateTimeOffset.UtcNow));
            });
        }
        else
        {
            while (await Next(TimeSpan.FromSeconds(1)) && !(untilDone && Done()))
            {
            }
        }

        await Task.WhenAny(reader, Task.Delay(100, CancellationToken.None));
        if (events.Reader.Completion.IsFaulted && !(untilDone && Done()))
        {
            // The stream failed: the hub's status (UNAVAILABLE, PERMISSION_DENIED ...) becomes the exit code.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(events.Reader.Completion.Exception!.InnerException!);
        }

        return ExitCodes.Ok;
    }

    private static string Line(WatchEvent e)
    {
        var at = e.At?.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) ?? "";
        var what = e.EventCase switch
        {
            WatchEvent.EventOneofCase.Transition => $"{Output.State(e.Transition.From)} -> {Output.State(e.Transition.To)}"
                + (e.Transition.Reason.Length > 0 ? $" ({e.Transition.Reason})" : ""),
            WatchEvent.EventOneofCase.Escalation =>
                $"ESCALATION {e.Escalation.Level} (deadline {Output.Countdown(e.Escalation.Deadline, e.At?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow)})",
            WatchEvent.EventOneofCase.BulkProgress => "progress " + Output.Progress(e.BulkProgress),
            _ => "",
        };
        var outcome = e.Snapshot is { } s && CaseTable.IsDone(s.State) ? "  " + CaseTable.Outcome(s) : "";
        return $"{at}  #{e.Sequence}  {e.ExchangeId}  {Output.Kind(e.Snapshot?.Request)} to {e.Snapshot?.To?.Id}  {what}{outcome}";
    }

    public static Command Case()
    {
        var number = new Argument<string>("case-number") { Description = "the case number" };
        var show = new Command("show", """
            Show every exchange of a case as a fund-trace tree, with states, deadlines and outcomes, then the case's money:
            reported loss, stopped, frozen, returned, released, the recovery rate, and transfers that left the hub's network.
            Example:
              afx case show SZ-2026-0042 --as police-shenzhen
            """) { number };
        show.SetGuardedAction(async (r, ct) =>
        {
            var connection = Connection.Resolve(GlobalOptions.From(r));
            using var channel = connection.Open();
            var view = await new ExchangeClient(channel).GetCaseAsync(new GetCaseRequest { CaseNumber = r.GetValue(number)! },
                new Grpc.Core.CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(view);
            }
            else
            {
                AnsiConsole.Write(CaseTable.Render("case " + view.CaseNumber, view.Exchanges, DateTimeOffset.UtcNow));
                foreach (var line in CaseTable.MoneyLines(view.Money))
                {
                    Console.WriteLine(line);
                }

                if (view.LegalHold is { Held: true } held)
                {
                    Console.WriteLine($"legal hold since {held.At.ToDateTimeOffset():u} by {held.SetBy?.Id}: {held.Reason}");
                }
            }

            return ExitCodes.Ok;
        });
        return new Command("case", "Cases: show a case's exchanges; place or release a legal hold.") { show, Hold(true), Hold(false) };
    }

    /// <summary>afx case hold | release CASE --reason TEXT.</summary>
    private static Command Hold(bool place)
    {
        var number = new Argument<string>("case-number") { Description = "the case number" };
        var reason = new Option<string>("--reason")
        {
            Description = place ? "why (a court order, an open investigation); stored sealed, audited" : "why the hold ends",
            Required = true,
        };
        var command = new Command(place ? "hold" : "release", place
            ? """
              Place a legal hold on a case of yours: the retention purge erases nothing of it while held.
              Example:
                afx case hold SZ-2026-0042 --reason "court order (2026) 0305 123" --as police-shenzhen
              """
            : """
              Release a legal hold: the retention policy applies to the case again.
              Example:
                afx case release SZ-2026-0042 --reason "judgment final" --as police-shenzhen
              """) { number, reason };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var hold = await new ExchangeClient(channel).SetLegalHoldAsync(new SetLegalHoldRequest
            {
                CaseNumber = r.GetValue(number)!,
                Hold = place,
                Reason = r.GetValue(reason)!,
            }, new Grpc.Core.CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(hold);
            }
            else
            {
                Console.WriteLine($"case {hold.CaseNumber}: legal hold {(place ? "placed" : "released")}; audit receipt {hold.Receipt?.LeafIndex}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
