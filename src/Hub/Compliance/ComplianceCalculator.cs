using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Compliance;

/// <summary>
/// How each responder keeps its legal deadlines, from the stored exchanges: on-time rate, median and
/// p95 time to acknowledge and to answer (from acceptance by the hub, since the clock runs while a
/// partner is offline), and what is open and already overdue. Refusals are counted apart: a REJECTED
/// answer is not an answer on time, or the fastest way to a good rate would be to refuse everything.
/// </summary>
internal sealed class ComplianceCalculator(IExchangeStore store, TimeProvider time)
{
    public async Task<ComplianceReport> ReportAsync(GetComplianceRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = request.From?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch;
        var to = request.To?.ToDateTimeOffset() ?? now.AddSeconds(1);
        var records = await store.ListSubmittedAsync(request.PartnerId.Length > 0 ? request.PartnerId : null, from, to, cancellationToken);
        var report = new ComplianceReport { GeneratedAt = Timestamp.FromDateTimeOffset(now) };
        foreach (var group in records.GroupBy(r => r.To.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            report.Partners.Add(For(group.First().To, group.ToList(), now));
        }

        return report;
    }

    internal static PartnerCompliance For(PartnerRef partner, IReadOnlyList<ExchangeRecord> records, DateTimeOffset now)
    {
        var ack = new List<TimeSpan>();
        var answer = new List<TimeSpan>();
        ulong answered = 0, onTime = 0, expired = 0, open = 0, overdue = 0, rejected = 0;
        foreach (var r in records)
        {
            var submitted = r.SubmittedAt.ToDateTimeOffset();
            var deadline = r.Deadline.ToDateTimeOffset();
            if (r.AcknowledgedAt is not null)
            {
                ack.Add(r.AcknowledgedAt.ToDateTimeOffset() - submitted);
            }

            switch (r.State)
            {
                case ExchangeState.Rejected:
                    rejected++;
                    break;
                case ExchangeState.Answered:
                    var at = r.AnsweredAt.ToDateTimeOffset();
                    answered++;
                    answer.Add(at - submitted);
                    if (at <= deadline)
                    {
                        onTime++;
                    }

                    break;
                case ExchangeState.Expired:
                    expired++;
                    open++;
                    overdue++;
                    break;
                case var state when ExchangeStates.IsRunning(state):
                    open++;
                    if (deadline < now)
                    {
                        overdue++;
                    }

                    break;
            }
        }

        var due = answered + expired;
        return new PartnerCompliance
        {
            Partner = partner,
            Answered = answered,
            AnsweredOnTime = onTime,
            OnTimeRate = due == 0 ? 1.0 : (double)onTime / due,
            MedianTimeToAck = Percentile(ack, 0.50),
            P95TimeToAck = Percentile(ack, 0.95),
            MedianTimeToAnswer = Percentile(answer, 0.50),
            P95TimeToAnswer = Percentile(answer, 0.95),
            Open = open,
            OpenOverdue = overdue,
            Expired = expired,
            Rejected = rejected,
            RefusalRate = answered + rejected + expired == 0 ? 0 : (double)rejected / (answered + rejected + expired),
        };
    }

    private static Duration Percentile(List<TimeSpan> values, double p)
    {
        if (values.Count == 0)
        {
            return new Duration();
        }

        values.Sort();
        var index = (int)Math.Ceiling(p * values.Count) - 1;
        return Duration.FromTimeSpan(values[Math.Clamp(index, 0, values.Count - 1)]);
    }
}
