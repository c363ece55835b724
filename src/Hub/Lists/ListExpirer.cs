using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>Every second, removes the entries whose expiry passed (each a new list version, so partners see the removal) and
/// audits how many. A failure is counted and tried again; it never stops the host.</summary>
internal sealed class ListExpirer(IListStore store, IAuditSink audit, BackgroundFaults faults, TimeProvider time, ILogger<ListExpirer> logger)
    : PeriodicService(TimeSpan.FromSeconds(1), time, faults, logger)
{
    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var expired = await store.ExpireAsync(Time.GetUtcNow(), cancellationToken);
        if (expired > 0)
        {
            await audit.RecordAsync(new AuditEvent(AuditEventKind.ListChanged, new PartnerRef { Id = "hub" }, $"{expired} entries expired"),
                cancellationToken);
        }
    }
}
