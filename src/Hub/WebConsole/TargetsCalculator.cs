using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Alerts;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.WebConsole;

/// <summary>One target's figure for one quarter: numerator / denominator against the plan's goal.</summary>
internal sealed record TargetFigure(string Target, string Quarter, long Numerator, long Denominator, double Goal)
{
    /// <summary>Null when there was nothing to measure in the quarter.</summary>
    public double? Value => Denominator == 0 ? null : (double)Numerator / Denominator;
}

/// <summary>
/// The national plan's targets by calendar quarter (China Standard Time), from the stored exchanges and alerts:
/// <list type="bullet">
/// <item>recovery rate: money returned to victims ÷ their reported loss, over the cases opened in the quarter (goal 25%);</item>
/// <item>warning accuracy: alerts closed as confirmed fraud ÷ confirmed + false positives (goal 95%);</item>
/// <item>dissuasion effectiveness: alerts closed as dissuaded ÷ alerts closed (no national goal; shown against 50%);</item>
/// <item>freezes answered with a hold within 2 hours of submission ÷ freezes due an answer (goal 95%);</item>
/// <item>stop-payments answered with a hold within the golden ten minutes ÷ stop-payments due an answer (goal 95%).</item>
/// </list>
/// A refusal is not an answer within the deadline, nor counted against it: it is left out of both, as in the compliance figures.
/// </summary>
internal sealed class TargetsCalculator(IExchangeStore store, AlertFiguresCalculator alerts, PartnerRegistry registry, TimeProvider time)
{
    public const string Recovery = "recovery rate";
    public const string Accuracy = "warning accuracy";
    public const string Dissuasion = "dissuasion effectiveness";
    public const string FreezeOnTime = "freezes within 2 hours";
    public const string StopOnTime = "stop-payments within 10 minutes";

    public static readonly IReadOnlyList<(string Name, double Goal)> Targets =
        [(Recovery, 0.25), (Accuracy, 0.95), (Dissuasion, 0.50), (FreezeOnTime, 0.95), (StopOnTime, 0.95)];

    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>The last <paramref name="quarters"/> quarters, oldest first, each target in each.</summary>
    public async Task<IReadOnlyList<TargetFigure>> ComputeAsync(int quarters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var starts = Enumerable.Range(0, quarters).Select(i => QuarterStart(now, quarters - 1 - i)).ToList();
        var records = await store.ListSubmittedAsync(null, starts[0], now.AddSeconds(1), cancellationToken);
        var figures = new List<TargetFigure>();
        foreach (var start in starts)
        {
            var end = start.ToOffset(ChinaStandardTime).AddMonths(3);
            var label = Label(start);
            var opened = records.Where(r => In(r.SubmittedAt, start, end)).ToList();
            figures.Add(RecoveryIn(records, start, end, label));
            var alertFigures = await alerts.ComputeAsync(new GetAlertFiguresRequest
            {
                From = Timestamp.FromDateTimeOffset(start), To = Timestamp.FromDateTimeOffset(end < now ? end : now.AddSeconds(1)),
            }, cancellationToken);
            var tiers = alertFigures.Rows.Where(r => r.Dimension == "tier").ToList();
            var confirmed = tiers.Sum(r => (long)r.Confirmed);
            figures.Add(new TargetFigure(Accuracy, label, confirmed, confirmed + tiers.Sum(r => (long)r.FalsePositives), Goal(Accuracy)));
            figures.Add(new TargetFigure(Dissuasion, label, tiers.Sum(r => (long)r.Dissuaded), tiers.Sum(r => (long)r.Closed), Goal(Dissuasion)));
            figures.Add(OnTime(FreezeOnTime, label, opened, Request.KindOneofCase.Freeze, TimeSpan.FromHours(2), now));
            figures.Add(OnTime(StopOnTime, label, opened, Request.KindOneofCase.StopPayment, TimeSpan.FromMinutes(10), now));
        }

        return figures;
    }

    /// <summary>Returned ÷ reported loss over the cases whose first exchange was submitted in the quarter (their returns may come
    /// later); a case without a reported loss counts in neither.</summary>
    private TargetFigure RecoveryIn(IReadOnlyList<ExchangeRecord> records, DateTimeOffset start, DateTimeOffset end, string label)
    {
        long returned = 0, loss = 0;
        foreach (var @case in records.GroupBy(r => (r.From.Id, r.Case.CaseNumber)))
        {
            if (!In(@case.Min(r => r.SubmittedAt)!, start, end))
            {
                continue;
            }

            var money = CaseMoneyView.Of([.. @case], registry);
            if (money.ReportedLoss.MinorUnits > 0)
            {
                returned += Math.Min(money.Returned.MinorUnits, money.ReportedLoss.MinorUnits);
                loss += money.ReportedLoss.MinorUnits;
            }
        }

        return new TargetFigure(Recovery, label, returned, loss, Goal(Recovery));
    }

    /// <summary>Holds of one kind answered with money held within <paramref name="within"/> of submission, of those due an answer:
    /// answered (with or without a hold), expired, or still open past the limit. Refusals and cancellations are in neither.</summary>
    internal static TargetFigure OnTime(string target, string label, IEnumerable<ExchangeRecord> opened, Request.KindOneofCase kind,
        TimeSpan within, DateTimeOffset now)
    {
        long onTime = 0, due = 0;
        foreach (var r in opened.Where(r => r.Request?.KindCase == kind))
        {
            var submitted = r.SubmittedAt.ToDateTimeOffset();
            switch (r.State)
            {
                case ExchangeState.Answered:
                    due++;
                    if (CaseMoneyView.Held(r) is not null && r.AnsweredAt.ToDateTimeOffset() - submitted <= within)
                    {
                        onTime++;
                    }

                    break;
                case ExchangeState.Expired:
                    due++;
                    break;
                case var state when Model.ExchangeStates.IsRunning(state) && now - submitted > within:
                    due++;
                    break;
            }
        }

        return new TargetFigure(target, label, onTime, due, Goal(target));
    }

    private static double Goal(string target) => Targets.First(t => t.Name == target).Goal;

    private static bool In(Timestamp at, DateTimeOffset start, DateTimeOffset end) => at.ToDateTimeOffset() >= start && at.ToDateTimeOffset() < end;

    /// <summary>The start of the quarter <paramref name="back"/> quarters before the one holding <paramref name="now"/>, China time.</summary>
    internal static DateTimeOffset QuarterStart(DateTimeOffset now, int back)
    {
        var local = now.ToOffset(ChinaStandardTime);
        var first = new DateTimeOffset(local.Year, ((local.Month - 1) / 3 * 3) + 1, 1, 0, 0, 0, ChinaStandardTime);
        return first.AddMonths(-3 * back);
    }

    internal static string Label(DateTimeOffset quarterStart)
    {
        var local = quarterStart.ToOffset(ChinaStandardTime);
        return string.Create(CultureInfo.InvariantCulture, $"{local.Year} Q{((local.Month - 1) / 3) + 1}");
    }
}
