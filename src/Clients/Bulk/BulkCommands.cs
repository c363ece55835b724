using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Clients.Police;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;

namespace AntiFraud.Exchange.Clients.Bulk;

/// <summary>afx bulk send | status | results (police) and fetch | answer (the carrier or bank): bulk orders from and to CSV files.</summary>
internal static class BulkCommands
{
    private static readonly Argument<string> OrderId = new("order-id") { Description = "the order's id (as 'afx bulk send' printed it; also its exchange id)" };

    public static Command Bulk() => new("bulk", """
        Bulk suspension and restriction orders (card cutting, 断卡): up to 100,000 numbers or accounts in one order to one carrier
        or bank, sent and answered in chunks from and to CSV files. Progress shows in 'afx watch --exchange ORDER' too.
        """) { Send(), Status(), Results(), Fetch(), Answer() };

    private static Command Send()
    {
        var to = new Option<string>("--to") { Description = "the carrier (suspend-numbers) or bank (restrict-accounts)", Required = true };
        var kind = new Option<string>("--kind") { Description = "suspend-numbers | restrict-accounts", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "CSV: one number (E.164) or account number per line, optional second column a note; an optional header line 'value,note'", Required = true };
        var @case = new Option<string>("--case") { Description = "the case number", Required = true };
        var officer = new Option<string?>("--officer") { Description = "approving officer (required)" };
        var basis = new Option<string?>("--basis") { Description = "investigation (default) | preliminary | court-order" };
        var reference = new Option<string?>("--reference") { Description = "statute article, warrant or approval number" };
        var priority = new Option<string?>("--priority") { Description = "critical | high (default) | medium | low: sets the deadline (2 h, 6 h, 24 h, 72 h)" };
        var reason = new Option<string?>("--reason") { Description = "why (stays with the police; the recipient sees it redacted)" };
        var days = new Option<int?>("--days") { Description = "suspend or restrict for this many days (default: until lifted)" };
        var key = new Option<string?>("--idempotency-key") { Description = "default: derived from the file, the recipient and the case, so running the same command again resumes the same order" };
        var command = new Command("send", """
            Send a bulk order from a CSV file, in chunks of 1,000. Each chunk is acknowledged once the hub has stored it; if the
            upload breaks (network, hub restart), the same command resumes where the hub's last acknowledgement left off.
            Examples:
              afx bulk send --as police-shenzhen --to carrier-east --kind suspend-numbers --file numbers.csv --case SZ-CUT-0042 --officer "Wang Jianguo"
              afx bulk send --as police-shenzhen --to bank-alpha --kind restrict-accounts --file accounts.csv --case SZ-CUT-0043 --officer "Wang Jianguo" --priority medium
            """) { to, kind, file, @case, officer, basis, reference, priority, reason, days, key };
        command.SetGuardedAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!.FullName;
            if (!File.Exists(path))
            {
                throw new UsageException($"--file {path}: no such file.");
            }

            var orderKind = r.GetValue(kind)!.ToLowerInvariant() switch
            {
                "suspend-numbers" => BulkOrderKind.SuspendNumbers,
                "restrict-accounts" => BulkOrderKind.RestrictAccounts,
                var other => throw new UsageException($"--kind '{other}': use suspend-numbers or restrict-accounts."),
            };
            var recipient = r.GetValue(to)!;
            var (total, digest) = Scan(path, orderKind, recipient, r.GetValue(@case)!);
            var header = new BulkOrderHeader
            {
                IdempotencyKey = r.GetValue(key) ?? $"afx-{digest}",
                Recipient = new PartnerRef { Id = recipient },
                Priority = SubmitCommands.ParsePriority(r.GetValue(priority), Priority.High),
                Case = new CaseRef
                {
                    CaseNumber = r.GetValue(@case)!,
                    LegalBasis = SubmitCommands.ParseBasis(r.GetValue(basis), LegalBasis.CriminalInvestigation),
                    LegalReference = r.GetValue(reference) ?? "",
                    ApprovingOfficer = r.GetValue(officer) ?? "",
                },
                Order = new BulkOrderNotice
                {
                    Kind = orderKind,
                    TotalItems = total,
                    Reason = r.GetValue(reason) ?? "",
                    Period = r.GetValue(days) is { } d ? Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromDays(d)) : null,
                },
            };
            if (header.Case.ApprovingOfficer.Length == 0)
            {
                throw new UsageException("--officer is required: a bulk order needs an approving officer.");
            }

            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var client = new BulkOrdersClient(channel);
            var json = r.GetValue(GlobalOptions.Json);
            var last = await Retrying(ct, () => BulkTransfer.SendAsync(client, header, after => Items(path, orderKind, recipient, after, ct),
                new Reporter<BulkUploadAck>(Report), new CallOptions(cancellationToken: ct)));
            if (json)
            {
                Output.Json(last);
            }
            else
            {
                Console.WriteLine(last.Complete
                    ? $"Order {last.OrderId}: {last.Total:N0} items sent to {recipient}, deadline {last.Deadline.ToDateTimeOffset().ToLocalTime():yyyy-MM-dd HH:mm}"
                        + (last.Receipt is { } receipt ? $"; receipt leaf {receipt.LeafIndex}" : "")
                        + $"{Environment.NewLine}Follow it: afx bulk status {last.OrderId}   or   afx watch --exchange {last.OrderId}"
                    : $"Order {last.OrderId}: {last.Received:N0} of {last.Total:N0} items stored; run the same command again to send the rest.");
            }

            return last.Complete ? ExitCodes.Ok : ExitCodes.Unreachable;
        });
        return command;
    }

    /// <summary>Progress goes to standard error, so --json output stays one document.</summary>
    private static void Report(BulkUploadAck ack) =>
        Console.Error.WriteLine(ack.Duplicate && ack.Received > 0
            ? $"  resuming order {ack.OrderId}: the hub already holds {ack.Received:N0} of {ack.Total:N0} items"
            : $"  stored {ack.Received:N0}/{ack.Total:N0}");

    /// <summary>Counts the items (checking every line) and fingerprints the file, without holding it.</summary>
    private static (uint Total, string Digest) Scan(string path, BulkOrderKind kind, string recipient, string caseNumber)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{recipient}\n{kind}\n{caseNumber}\n"));
        uint total = 0;
        using (var reader = File.OpenText(path))
        {
            foreach (var (line, fields) in Rows(reader, path, "value"))
            {
                BulkCsv.SourceItem(fields, line, ++total, kind, recipient);
                hash.AppendData(Encoding.UTF8.GetBytes(string.Join(',', fields) + "\n"));
            }
        }

        if (total == 0)
        {
            throw new UsageException($"--file {path}: holds no items.");
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset())[..24]);
    }

    private static IEnumerable<(int Line, string[] Fields)> Rows(TextReader reader, string path, string firstColumn)
    {
        using var rows = BulkCsv.Rows(reader, firstColumn).GetEnumerator();
        while (true)
        {
            try
            {
                if (!rows.MoveNext())
                {
                    yield break;
                }
            }
            catch (FormatException e)
            {
                throw new UsageException($"{path}: {e.Message}.");
            }

            yield return rows.Current;
        }
    }

    private static async IAsyncEnumerable<BulkItem> Items(string path, BulkOrderKind kind, string recipient, uint after,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = File.OpenText(path);
        uint n = 0;
        foreach (var (line, fields) in Rows(reader, path, "value"))
        {
            ct.ThrowIfCancellationRequested();
            if (++n > after)
            {
                yield return BulkCsv.SourceItem(fields, line, n, kind, recipient);
            }
        }

        await Task.CompletedTask;
    }

    /// <summary>Retries a transfer the hub broke off (UNAVAILABLE: a restart, a lost connection) up to five times; each retry resumes.</summary>
    private static async Task<T> Retrying<T>(CancellationToken ct, Func<Task<T>> transfer)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await transfer();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < 5 && !ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"  the hub broke off ({e.Status.Detail}); resuming in {attempt} s (attempt {attempt + 1} of 5)");
                await Task.Delay(TimeSpan.FromSeconds(attempt), ct);
            }
        }
    }

    private static Command Status()
    {
        var overdue = new Option<uint>("--overdue") { Description = "name up to this many overdue items (default 20, at most 1,000)" };
        var command = new Command("status", """
            Where an order stands: answered out of total by outcome and, past the deadline, the overdue items by number.
            Example:
              afx bulk status ex-... --as police-shenzhen
            """) { OrderId, overdue };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var view = await new BulkOrdersClient(channel).GetAsync(new GetBulkOrderRequest { OrderId = r.GetValue(OrderId)!, MaxOverdueItems = r.GetValue(overdue) },
                new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
            if (r.GetValue(GlobalOptions.Json))
            {
                Output.Json(view);
                return ExitCodes.Ok;
            }

            var kindName = view.Order.Kind == BulkOrderKind.RestrictAccounts ? "restriction" : "suspension";
            if (view.Exchange is null)
            {
                Console.WriteLine($"Order {view.OrderId} ({kindName}, to {view.Recipient.Id}): upload unfinished, {view.Received:N0} of {view.Order.TotalItems:N0} items stored.");
                return ExitCodes.Ok;
            }

            Console.WriteLine($"Order {view.OrderId} ({kindName}, to {view.Recipient.Id}): {Output.State(view.Exchange.State)}, deadline "
                + Output.Countdown(view.Exchange.Deadline, DateTimeOffset.UtcNow));
            Console.WriteLine("  " + Output.Counts(view.Progress.Counts));
            if (view.Progress.Overdue > 0)
            {
                Console.WriteLine($"  OVERDUE: {view.Progress.Overdue:N0} items unanswered past the deadline"
                    + (view.Progress.Overdue > view.Progress.OverdueItems.Count ? $" (first {view.Progress.OverdueItems.Count}):" : ":"));
                foreach (var item in view.Progress.OverdueItems)
                {
                    Console.WriteLine($"    #{item.ItemNo}  {BulkCsv.Value(item)}");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Results()
    {
        var output = new Option<FileInfo?>("--out") { Description = "write the CSV here (default: standard output)" };
        var command = new Command("results", $"""
            Every item of an order you sent, with its result so far, as CSV ({BulkCsv.ReportHeader}); items without a result have
            an empty outcome. Read a chunk at a time.
            Example:
              afx bulk results ex-... --as police-shenzhen --out results.csv
            """) { OrderId, output };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var rows = BulkTransfer.ReadResultsAsync(new BulkOrdersClient(channel), r.GetValue(OrderId)!, ct);
            var written = await WriteCsvAsync(r.GetValue(output), BulkCsv.ReportHeader, rows.Select(BulkCsv.ReportLine), ct);
            Console.Error.WriteLine($"{written:N0} items");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Fetch()
    {
        var output = new Option<FileInfo?>("--out") { Description = "write the CSV here (default: standard output)" };
        var command = new Command("fetch", $"""
            (Carriers and banks) The items of an order addressed to you, as CSV ({BulkCsv.OrderHeader}). Answer each with
            'afx bulk answer'. The bridge does the same with its outbox/ and bulk-results/ folders.
            Example:
              afx bulk fetch ex-... --as carrier-east --out order.csv
            """) { OrderId, output };
        command.SetGuardedAction(async (r, ct) =>
        {
            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var client = new BulkOrdersClient(channel);
            var id = r.GetValue(OrderId)!;
            var view = await client.GetAsync(new GetBulkOrderRequest { OrderId = id }, new CallOptions(cancellationToken: ct).WithTimeout(TimeSpan.FromSeconds(30)));
            var written = await WriteCsvAsync(r.GetValue(output), BulkCsv.OrderHeader,
                BulkTransfer.FetchAsync(client, id, 0, ct).Select(i => BulkCsv.OrderLine(id, view.Order.Kind, i)), ct);
            Console.Error.WriteLine($"{written:N0} items");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Answer()
    {
        var file = new Option<FileInfo>("--file") { Description = $"CSV: {BulkCsv.ResultHeader}; outcome done | not_our_customer | already_closed | refused (with a reason)", Required = true };
        var command = new Command("answer", """
            (Carriers and banks) Answer the items of orders from a CSV file, in chunks. The first result for an item is final: sending
            a file again (after a crash) records nothing twice. Every line is checked before anything is sent.
            Example:
              afx bulk answer --as carrier-east --file results.csv
            """) { file };
        command.SetGuardedAction(async (r, ct) =>
        {
            var path = r.GetValue(file)!.FullName;
            if (!File.Exists(path))
            {
                throw new UsageException($"--file {path}: no such file.");
            }

            List<string> orders;
            try
            {
                orders = BulkCsv.OrdersIn(path);
            }
            catch (FormatException e)
            {
                throw new UsageException($"{path}: {e.Message}.");
            }

            using var channel = Connection.Resolve(GlobalOptions.From(r)).Open();
            var client = new BulkOrdersClient(channel);
            foreach (var order in orders)
            {
                var last = await Retrying(ct, () => BulkTransfer.AnswerAsync(client, order, BulkCsv.ResultsFor(path, order, ct),
                    new Reporter<BulkAnswerAck>(a => Console.Error.WriteLine($"  {order}: {Output.Counts(a.Counts)}")), new CallOptions(cancellationToken: ct)));
                if (r.GetValue(GlobalOptions.Json))
                {
                    Output.Json(last!);
                }
                else
                {
                    Console.WriteLine($"Order {order}: {Output.Counts(last!.Counts)}" + (last.Complete ? " — complete" : ""));
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<long> WriteCsvAsync(FileInfo? output, string header, IAsyncEnumerable<string> lines, CancellationToken ct)
    {
        var target = output?.FullName;
        var staged = target is null ? null : target + ".part";
        long count = 0;
        var writer = staged is null ? Console.Out : new StreamWriter(staged, false, new UTF8Encoding(false));
        try
        {
            await writer.WriteLineAsync(header);
            await foreach (var line in lines.WithCancellation(ct))
            {
                await writer.WriteLineAsync(line);
                count++;
            }
        }
        finally
        {
            if (staged is null)
            {
                await writer.FlushAsync(ct);
            }
            else
            {
                await writer.DisposeAsync();
            }
        }

        if (staged is not null)
        {
            File.Move(staged, target!, overwrite: true);
        }

        return count;
    }

    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
