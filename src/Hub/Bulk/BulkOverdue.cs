using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Bulk;

/// <summary>
/// When a bulk order's deadline passes with items unanswered (the deadline tracker expires it once across replicas), its progress
/// names the overdue items, so the sender watching it sees which numbers or accounts are still open.
/// </summary>
internal sealed class BulkOverdue(
    IBulkStore store,
    BulkOrderAccess orders,
    EventBus bus,
    BackgroundFaults faults,
    ILogger<BulkOverdue> logger) : PublishedEvents(bus)
{
    protected override bool Wants(WatchEvent e) =>
        e.Transition?.To == ExchangeState.Expired && e.Snapshot.Request?.KindCase == Request.KindOneofCase.BulkOrder;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var expired in Queued.ReadAllAsync(stoppingToken))
        {
            try
            {
                await NameOverdueAsync(expired, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // A background service never stops the host; the order's figures still come with the next answer or a Get.
                faults.Record(nameof(BulkOverdue), ex, logger);
            }
        }
    }

    internal async Task NameOverdueAsync(ExchangeRecord expired, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(expired.ExchangeId, cancellationToken) is not { } order)
        {
            return;
        }

        var committed = await orders.MoveProgressAsync(order, expired, null, cancellationToken);
        BulkLog.Overdue(logger, order.OrderId, order.Recipient, committed.Record.BulkProgress?.Overdue ?? 0, order.Total);
    }
}
