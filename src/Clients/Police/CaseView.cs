using AntiFraud.Exchange.Clients.Cli;
using AntiFraud.Exchange.Contract.V1;
using Spectre.Console;

namespace AntiFraud.Exchange.Clients.Police;

/// <summary>A case's exchanges as a fund-trace tree: follow-ups under the exchange they came from.</summary>
internal static class CaseTable
{
    public static bool IsDone(ExchangeState state) =>
        state is ExchangeState.Answered or ExchangeState.Rejected or ExchangeState.Cancelled or ExchangeState.Expired;

    public static string Outcome(ExchangeRecord r)
    {
        if (r.State == ExchangeState.Rejected)
        {
            return "refused: " + r.StateReason;
        }

        var result = r.Result;
        return result?.KindCase switch
        {
            Result.KindOneofCase.StopPayment or Result.KindOneofCase.Freeze => Hold(result.StopPayment ?? result.Freeze),
            Result.KindOneofCase.FreezeRelease => result.FreezeRelease.Status.ToString(),
            Result.KindOneofCase.FundReturn => $"{result.FundReturn.Status} {Output.Money(result.FundReturn.AmountReturned)}"
                + (result.FundReturn.TransferReference.Length > 0 ? $" (transfer {result.FundReturn.TransferReference})" : ""),
            Result.KindOneofCase.AccountQuery => $"{result.AccountQuery.Status}, {result.AccountQuery.Transactions.Count} transactions",
            Result.KindOneofCase.CallTrace => $"{result.CallTrace.Status}, {result.CallTrace.Hops.Count} legs"
                + (result.CallTrace.CallerIdSpoofed ? ", caller id SPOOFED" : "")
                + (result.CallTrace.Hops.FirstOrDefault(h => h.OriginalNumber is not null)?.OriginalNumber is { } n ? $", from {n.E164}" : ""),
            Result.KindOneofCase.NumberSuspension => result.NumberSuspension.Status.ToString(),
            Result.KindOneofCase.BulkOrder => Output.Counts(result.BulkOrder),
            _ when r.BulkProgress is { } progress => Output.Progress(progress),
            _ => "",
        };
    }

    /// <summary>The case's money as lines for a terminal: the sums, the recovery rate against the 25% target, and each transfer
    /// that left the hub's network.</summary>
    public static IEnumerable<string> MoneyLines(CaseMoney? money)
    {
        if (money is null)
        {
            yield break;
        }

        yield return $"Money: reported loss {Output.Money(money.ReportedLoss)}; stopped {Output.Money(money.Stopped)}, frozen "
            + $"{Output.Money(money.Frozen)}, returned {Output.Money(money.Returned)}, released {Output.Money(money.Released)}; recovery rate "
            + (money.ReportedLoss?.MinorUnits > 0 ? (money.RecoveryRate * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%"
                : "- (no reported loss: give --loss)") + " (target 25%)";
        foreach (var exit in money.TrailLeftNetwork)
        {
            var t = exit.Transfer;
            yield return $"  the trail left the network: {Output.Money(t.Amount)} to {t.Counterparty?.BankId} {t.Counterparty?.AccountNumber}"
                + $" ({t.TransactionId}, reported by {exit.ExchangeId})";
        }
    }

    private static string Hold(HoldResult h) =>
        $"{h.Status} {Output.Money(h.AmountHeld)}" + (h.OnwardTransfers.Count > 0 ? $", {h.OnwardTransfers.Count} onward transfer(s)" : "");

    /// <summary>Rows in tree order with their depth.</summary>
    public static IEnumerable<(ExchangeRecord Record, int Depth)> InTreeOrder(IReadOnlyCollection<ExchangeRecord> records)
    {
        // A follow-up whose parent is not among the records (watching one exchange) is shown as a root.
        var ids = records.Select(r => r.ExchangeId).ToHashSet(StringComparer.Ordinal);
        var byParent = records.ToLookup(r => ids.Contains(r.ParentExchangeId) ? r.ParentExchangeId : "");
        IEnumerable<(ExchangeRecord, int)> Walk(string parent, int depth)
        {
            foreach (var r in byParent[parent].OrderBy(r => r.SubmittedAt?.ToDateTimeOffset()))
            {
                yield return (r, depth);
                foreach (var child in Walk(r.ExchangeId, depth + 1))
                {
                    yield return child;
                }
            }
        }

        return Walk("", 0);
    }

    public static Table Render(string title, IReadOnlyCollection<ExchangeRecord> records, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(title));
        table.AddColumns("Exchange", "Kind", "To", "State", "Deadline", "Outcome");
        foreach (var (r, depth) in InTreeOrder(records))
        {
            var state = Output.State(r.State);
            var colour = r.State switch
            {
                ExchangeState.Answered => "green",
                ExchangeState.Rejected or ExchangeState.Expired => "red",
                _ => "yellow",
            };
            var deadline = IsDone(r.State) ? (r.AnsweredAt is { } a ? $"answered {(a.ToDateTimeOffset() - r.SubmittedAt.ToDateTimeOffset()).TotalSeconds:F1} s after submit" : "-") : Output.Countdown(r.Deadline, now);
            if (!IsDone(r.State) && r.FollowDepth > 0 && r.CaseWindowEndsAt is { } window)
            {
                // A follow-up hop shows the case's golden window, which does not start again at each bank.
                deadline += $" (case window {Output.Countdown(window, now)})";
            }
            table.AddRow(
                Markup.Escape(new string(' ', depth * 2) + (depth > 0 ? "└ " : "") + r.ExchangeId),
                Markup.Escape(Output.Kind(r.Request)),
                Markup.Escape(r.To.Id),
                $"[{colour}]{state}[/]",
                Markup.Escape(deadline),
                Markup.Escape(Outcome(r)));
        }

        return table;
    }
}
