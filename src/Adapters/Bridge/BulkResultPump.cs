using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AntiFraud.Exchange.Adapters.Bridge;

/// <summary>
/// A bank's or carrier's results of bulk orders to the hub: each file in bulk-results/ (order_id,item_no,outcome,reason,done_at) is
/// checked line by line first, then sent in chunks, one order at a time, and archived. A line that does not parse, or a result the hub
/// refuses, sends the file to dead-letter/ (direction "bulk-results") with the line and the reason. The hub records an item's first
/// result only, so a file sent again after a crash of the bridge or the hub changes nothing it already holds.
/// </summary>
internal sealed class BulkResultPump(
    IOptions<BridgeOptions> options,
    HubConnection hub,
    BridgeFolders folders,
    DeadLetters deadLetters,
    TimeProvider time,
    IdentityRefused refused,
    ILogger<BulkResultPump> logger) : FolderPump(options.Value, folders.BulkResults, "bulk-results", time, logger)
{
    protected override async Task<bool> ProcessAsync(string path, CancellationToken cancellationToken)
    {
        var file = Path.GetFileName(path);
        List<string> orders;
        try
        {
            orders = BulkCsv.OrdersIn(path);
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (FormatException e)
        {
            var kept = deadLetters.Keep(path, "bulk-results", new Dictionary<string, string>
            {
                ["format"] = "bulk-results-csv",
                ["position"] = e.Message.Split(':')[0],
                ["problem"] = e.Message,
            });
            BridgeLog.AnswerFailed(Logger, file, e.Message, kept);
            return true;
        }

        foreach (var order in orders)
        {
            try
            {
                var last = await BulkTransfer.AnswerAsync(hub.Bulk, order, BulkCsv.ResultsFor(path, order, cancellationToken), null,
                    new CallOptions(cancellationToken: cancellationToken));
                BridgeLog.BulkAnswered(Logger, order, file, last?.Counts.Answered ?? 0, last?.Counts.Total ?? 0);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                refused.Stop(e);
                return false;
            }
            catch (RpcException e) when (!HubConnection.IsTransient(e))
            {
                var kept = deadLetters.Keep(path, "bulk-results", new Dictionary<string, string>
                {
                    ["format"] = "bulk-results-csv",
                    ["position"] = "order " + order,
                    ["field"] = e.Status.Detail.Split(':')[0],
                    ["problem"] = $"the hub refused the results: {e.StatusCode}: {e.Status.Detail} (results it acknowledged are recorded; sending "
                        + "the file again after a fix records nothing twice)",
                });
                BridgeLog.AnswerFailed(Logger, file, e.Status.Detail, kept);
                return true;
            }
        }

        folders.ArchiveAnswer(path, Time.GetUtcNow());
        BridgeLog.Archived(Logger, file, orders.Count);
        return true;
    }
}
