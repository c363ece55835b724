using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>Writes the refusal summaries as their intervals end.</summary>
internal sealed class RefusalAuditFlusher(RefusalAudit refusals, TimeProvider time, BackgroundFaults faults,
    ILogger<RefusalAuditFlusher> logger) : PeriodicService(TimeSpan.FromSeconds(10), time, faults, logger)
{
    protected override Task RunOnceAsync(CancellationToken cancellationToken) => refusals.FlushAsync(all: false, cancellationToken);

    protected override Task OnStoppedAsync(CancellationToken cancellationToken) => refusals.FlushAsync(all: true, cancellationToken);
}
