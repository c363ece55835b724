using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>
/// Evaluations audited per partner and kind and second: the first call of a second is written before it is answered (so the
/// log shows every partner screening as it starts), the rest of the second are counted and written as one entry when the
/// second ends (or at shutdown). A screening call then waits for no fsync of its own; an evaluation gets no receipt, and a
/// crash can lose at most the last second's counts.
/// </summary>
internal sealed class EvaluationAudit(IAuditSink audit, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string Partner, ListKind Kind), Window> _windows = new();

    public async ValueTask RecordAsync(PartnerRef partner, ListKind kind, int count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = _windows.GetOrAdd((partner.Id, kind), static _ => new Window());
        lock (window)
        {
            if (window.Start is { } start && now - start < Interval)
            {
                window.Counted += count;
                window.Calls++;
                return;
            }

            window.Start = now;
        }

        await audit.RecordAsync(Entry(partner, kind, count, 1), cancellationToken);
    }

    /// <summary>Writes the counts of every second that ended (every one, at shutdown).</summary>
    public async Task FlushAsync(bool all, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var ((partner, kind), window) in _windows)
        {
            int counted, calls;
            lock (window)
            {
                if (window.Calls == 0 || (!all && window.Start is { } start && now - start < Interval))
                {
                    continue;
                }

                (counted, calls) = (window.Counted, window.Calls);
                window.Counted = 0;
                window.Calls = 0;
            }

            await audit.RecordAsync(Entry(new PartnerRef { Id = partner }, kind, counted, calls), cancellationToken);
        }
    }

    private static AuditEvent Entry(PartnerRef partner, ListKind kind, int count, int calls) =>
        new(AuditEventKind.Accessed, partner, $"RiskLists/Evaluate {kind}: {count} evaluations in {calls} call(s)");

    private sealed class Window
    {
        public DateTimeOffset? Start { get; set; }

        public int Counted { get; set; }

        public int Calls { get; set; }
    }
}

/// <summary>Writes the evaluation counts each second, and the rest at shutdown.</summary>
internal sealed class EvaluationAuditFlusher(EvaluationAudit evaluations, TimeProvider time, BackgroundFaults faults,
    ILogger<EvaluationAuditFlusher> logger) : PeriodicService(EvaluationAudit.Interval, time, faults, logger)
{
    protected override Task RunOnceAsync(CancellationToken cancellationToken) => evaluations.FlushAsync(all: false, cancellationToken);

    protected override Task OnStoppedAsync(CancellationToken cancellationToken) => evaluations.FlushAsync(all: true, cancellationToken);
}
