using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Alerts;

/// <summary>
/// Early-warning figures over a period, per tier, per raiser and per police unit: alerts and signals,
/// fusion, dispatch latency (first signal to the first unit's stream), time to contact (first signal to
/// the first reported outcome), contact within the deadline, dissuaded and false-positive rates, accuracy
/// (confirmed ÷ confirmed + false positives) and the money in paused transfers that were saved.
/// </summary>
internal sealed class AlertFiguresCalculator(IAlertStore alerts, AlertViews views, TimeProvider time)
{
    public async Task<AlertFigures> ComputeAsync(GetAlertFiguresRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var to = request.To?.ToDateTimeOffset() ?? now.AddSeconds(1);
        var from = request.From?.ToDateTimeOffset() ?? to.AddDays(-30);
        Exchanges.RequestValidator.Require(from < to, "from", "must be before to");
        Exchanges.RequestValidator.Require(to - from <= TimeSpan.FromDays(366), "to", "the period may span at most 366 days");
        var facts = new List<Facts>();
        foreach (var alert in await alerts.ListAsync(from, to, cancellationToken))
        {
            facts.Add(Facts.Of(await views.WithLiveAssignmentsAsync(alert, cancellationToken)));
        }

        var figures = new AlertFigures
        {
            GeneratedAt = Timestamp.FromDateTimeOffset(now),
            From = Timestamp.FromDateTimeOffset(from),
            To = Timestamp.FromDateTimeOffset(to),
        };
        foreach (var tier in new[] { Priority.Critical, Priority.High, Priority.Medium, Priority.Low })
        {
            figures.Rows.Add(Row("tier", tier.ToString().ToUpperInvariant(), facts.Where(f => f.Alert.Tier == tier).ToList(),
                f => f.Alert.SignalCount));
        }

        foreach (var raiser in facts.SelectMany(f => f.Alert.Signals.Select(s => s.Raiser.Id)).Distinct().Order(StringComparer.Ordinal))
        {
            figures.Rows.Add(Row("raiser", raiser, facts.Where(f => f.Alert.Signals.Any(s => s.Raiser.Id == raiser)).ToList(),
                f => (uint)f.Alert.Signals.Count(s => s.Raiser.Id == raiser)));
        }

        foreach (var unit in facts.SelectMany(f => f.Alert.Assignments.Select(a => a.Unit.Id)).Distinct().Order(StringComparer.Ordinal))
        {
            figures.Rows.Add(Row("unit", unit, facts.Where(f => f.Alert.Assignments.Any(a => a.Unit.Id == unit)).ToList(),
                f => f.Alert.SignalCount));
        }

        return figures;
    }

    private static AlertFigureRow Row(string dimension, string key, List<Facts> facts, Func<Facts, uint> signals)
    {
        var closed = facts.Where(f => f.Final is not null).ToList();
        var dissuaded = closed.Count(f => f.Final!.Kind == AlertOutcomeKind.Dissuaded);
        var confirmed = closed.Count(f => f.Final!.Kind is AlertOutcomeKind.Dissuaded or AlertOutcomeKind.AlreadyTransferred);
        var falsePositives = closed.Count(f => f.Final!.Kind == AlertOutcomeKind.FalsePositive);
        var contacted = facts.Where(f => f.TimeToContact is not null).ToList();
        var onTime = contacted.Count(f => f.ContactedInTime);
        var dispatch = facts.Where(f => f.DispatchLatency is not null).Select(f => f.DispatchLatency!.Value).Order().ToList();
        var contact = contacted.Select(f => f.TimeToContact!.Value).Order().ToList();
        var saved = closed.Where(f => f.Final!.Kind == AlertOutcomeKind.Dissuaded)
            .SelectMany(f => f.Alert.Signals.Where(s => s.KindCase == AlertSignal.KindOneofCase.BankTransfer && s.BankTransfer.Paused))
            .Sum(s => s.BankTransfer.Amount?.MinorUnits ?? 0);
        return new AlertFigureRow
        {
            Dimension = dimension,
            Key = key,
            Alerts = (ulong)facts.Count,
            Signals = (ulong)facts.Sum(f => signals(f)),
            Fused = (ulong)facts.Count(f => f.Alert.SignalCount > 1),
            MedianDispatchLatency = Percentile(dispatch, 0.5),
            P99DispatchLatency = Percentile(dispatch, 0.99),
            MedianTimeToContact = Percentile(contact, 0.5),
            Contacted = (ulong)contacted.Count,
            ContactedWithinDeadline = (ulong)onTime,
            ContactWithinDeadlineRate = facts.Count == 0 ? 0 : (double)onTime / facts.Count,
            Closed = (ulong)closed.Count,
            Dissuaded = (ulong)dissuaded,
            DissuadedRate = closed.Count == 0 ? 0 : (double)dissuaded / closed.Count,
            FalsePositives = (ulong)falsePositives,
            FalsePositiveRate = closed.Count == 0 ? 0 : (double)falsePositives / closed.Count,
            Accuracy = confirmed + falsePositives == 0 ? 0 : (double)confirmed / (confirmed + falsePositives),
            Saved = new Money { Currency = "CNY", MinorUnits = saved },
            Confirmed = (ulong)confirmed,
        };
    }

    private static Duration? Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? null : Duration.FromTimeSpan(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)]);

    private sealed record Facts(AlertView Alert, AlertOutcome? Final, TimeSpan? DispatchLatency, TimeSpan? TimeToContact, bool ContactedInTime)
    {
        public static Facts Of(AlertView alert)
        {
            var first = alert.FirstRaisedAt.ToDateTimeOffset();
            var delivered = alert.Assignments.Where(a => a.DeliveredAt is not null).Select(a => a.DeliveredAt.ToDateTimeOffset())
                .DefaultIfEmpty().Min();
            var firstOutcome = alert.Outcomes.OrderBy(o => o.RecordedAt.ToDateTimeOffset()).FirstOrDefault();
            var deadline = alert.Assignments.Where(a => a.ContactDeadline is not null).Select(a => a.ContactDeadline.ToDateTimeOffset())
                .DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            var contactAt = firstOutcome?.RecordedAt.ToDateTimeOffset();
            return new Facts(alert,
                alert.Outcomes.LastOrDefault(o => AlertValidator.IsFinal(o.Kind)),
                delivered == default ? null : delivered - first,
                contactAt - first,
                contactAt is { } c && c <= deadline);
        }
    }
}
