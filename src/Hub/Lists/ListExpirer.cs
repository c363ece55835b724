using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Lists;

/// <summary>Every second, removes the entries whose expiry passed (each a new list version, so partners see the removal) and
/// audits how many. A failure is counted and tried again; it never stops the host.</summary>
internal sealed class ListExpirer(IListStore store, IAuditSink audit, BackgroundFaults faults, TimeProvider time, ILogger<ListExpirer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                var expired = await store.ExpireAsync(time.GetUtcNow(), stoppingToken);
                if (expired > 0)
                {
                    await audit.RecordAsync(new AuditEvent(AuditEventKind.ListChanged, new PartnerRef { Id = "hub" },
                        $"{expired} entries expired"), stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                faults.Record(nameof(ListExpirer), ex, logger);
            }
        }
    }
}
