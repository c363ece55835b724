using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Storage;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Bulk;

/// <summary>BulkOrders/Get (sender and recipient: where the order stands, overdue items named) and ReadResults (the sender: every item
/// with its result, a chunk at a time). Both audited as reads.</summary>
internal sealed class BulkReads(IBulkStore store, BulkOrderAccess orders, ExchangeAccess access)
{
    public const int MaxOverdueNamed = 1000;

    public async Task<BulkOrderView> GetAsync(PartnerIdentity caller, GetBulkOrderRequest request, CancellationToken cancellationToken)
    {
        RequestValidator.Require(request.MaxOverdueItems <= MaxOverdueNamed, "max_overdue_items", $"must be at most {MaxOverdueNamed}");
        var order = await orders.VisibleAsync(caller, request.OrderId, BulkOrderAccess.Side.Either, "BulkOrders/Get", cancellationToken);
        var record = await orders.ExchangeAsync(order, cancellationToken);
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "BulkOrders/Get", order.OrderId,
            order.Header.Case.CaseNumber, order.Header.Recipient), cancellationToken);
        var view = new BulkOrderView
        {
            OrderId = order.OrderId,
            Exchange = record,
            Progress = await orders.ProgressAsync(order, record, request.MaxOverdueItems == 0 ? 20 : (int)request.MaxOverdueItems,
                cancellationToken),
            Received = order.Received,
            Recipient = order.Header.Recipient,
            Order = order.Header.Order,
        };
        return orders.Masked(caller, order, view);
    }

    public async Task ReadResultsAsync(PartnerIdentity caller, ReadBulkResultsRequest request, IAsyncStreamWriter<BulkResultRows> responses,
        CancellationToken cancellationToken)
    {
        var order = await orders.VisibleAsync(caller, request.OrderId, BulkOrderAccess.Side.Sender, "BulkOrders/ReadResults", cancellationToken);
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), $"BulkOrders/ReadResults after item {request.AfterItem}",
            order.OrderId, order.Header.Case.CaseNumber, order.Header.Recipient), cancellationToken);
        for (var after = request.AfterItem; after < order.Received;)
        {
            var page = await store.ReadResultsAsync(order.OrderId, after, BulkOrderRules.ChunkSize, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            var rows = new BulkResultRows();
            rows.Rows.AddRange(page.Select(p => new BulkResultRow { Item = p.Item, Result = p.Result }));
            await responses.WriteAsync(orders.Masked(caller, order, rows), cancellationToken);
            after = page[^1].Item.ItemNo;
        }
    }
}
