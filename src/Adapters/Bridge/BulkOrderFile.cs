using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A bulk order as the partner's system takes it: one CSV file (order_id,item_no,kind,value,note) with every item, fetched from
/// the hub a chunk at a time and written as it comes, so the bridge never holds the order.
/// </summary>
internal static class BulkOrderFile
{
    public static async Task WriteAsync(BulkOrdersClient client, InboxItem item, Stream file, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(file, new UTF8Encoding(false), 65536, leaveOpen: true);
        await writer.WriteLineAsync(BulkCsv.OrderHeader);
        uint written = 0;
        await foreach (var bulkItem in BulkTransfer.FetchAsync(client, item.ExchangeId, 0, cancellationToken))
        {
            await writer.WriteLineAsync(BulkCsv.OrderLine(item.ExchangeId, item.Request.BulkOrder.Kind, bulkItem));
            written++;
        }

        if (written != item.Request.BulkOrder.TotalItems)
        {
            // Not acknowledged: the hub delivers the order again and the file is written whole.
            throw new IOException($"bulk order {item.ExchangeId}: fetched {written} of {item.Request.BulkOrder.TotalItems} items");
        }
    }
}
