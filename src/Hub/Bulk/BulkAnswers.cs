using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Bulk;

/// <summary>
/// The recipient's side of a bulk order: Fetch streams its items a chunk at a time (masked for the recipient), Answer takes results
/// in chunks, in any order. Each chunk is durable before it is acknowledged; the first result recorded for an item is final, so a
/// chunk sent again after a crash changes nothing. Every chunk moves the order's progress on its exchange, which the sender watches;
/// the last missing result answers the exchange.
/// </summary>
internal sealed class BulkAnswers(
    IBulkStore store,
    IExchangeStore exchanges,
    BulkOrderAccess orders,
    ExchangeAccess access,
    InboxDelivery inbox,
    DeadlinePolicy policy,
    TimeProvider time,
    ILogger<BulkAnswers> logger)
{
    public async Task FetchAsync(PartnerIdentity caller, FetchBulkItemsRequest request, IAsyncStreamWriter<BulkItems> responses,
        CancellationToken cancellationToken)
    {
        var order = await orders.VisibleAsync(caller, request.OrderId, BulkOrderAccess.Side.Recipient, "BulkOrders/Fetch", cancellationToken);
        RequireUploaded(order);
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(),
            $"BulkOrders/Fetch: items after {request.AfterItem} of {order.Total}", order.OrderId, order.Header.Case.CaseNumber,
            order.Header.Recipient), cancellationToken);
        for (var after = request.AfterItem; after < order.Total;)
        {
            var page = await store.ReadItemsAsync(order.OrderId, after, BulkOrderRules.ChunkSize, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            var chunk = new BulkItems();
            chunk.Items.AddRange(page);
            await responses.WriteAsync(orders.Masked(caller, order, chunk), cancellationToken);
            after = page[^1].ItemNo;
        }
    }

    public async Task AnswerAsync(PartnerIdentity caller, IAsyncStreamReader<BulkAnswer> requests, IAsyncStreamWriter<BulkAnswerAck> responses,
        CancellationToken cancellationToken)
    {
        BulkOrderState? order = null;
        while (await requests.MoveNext(cancellationToken))
        {
            var answer = requests.Current;
            if (order?.OrderId != answer.OrderId)
            {
                order = await orders.VisibleAsync(caller, answer.OrderId, BulkOrderAccess.Side.Recipient, "BulkOrders/Answer", cancellationToken);
                RequireUploaded(order);
            }

            await responses.WriteAsync(await RecordAsync(caller, order, answer, cancellationToken), cancellationToken);
        }
    }

    private async Task<BulkAnswerAck> RecordAsync(PartnerIdentity caller, BulkOrderState order, BulkAnswer answer,
        CancellationToken cancellationToken)
    {
        RequestValidator.Require(answer.Results.Count is > 0 and <= BulkOrderRules.ChunkSize, "results",
            $"must hold 1 to {BulkOrderRules.ChunkSize} results");
        var now = time.GetUtcNow();
        for (var i = 0; i < answer.Results.Count; i++)
        {
            Validate(answer.Results[i], $"results[{i}]", order.Total, now);
        }

        var record = await exchanges.GetAsync(order.OrderId, cancellationToken)
            ?? throw Refusal.FailedPrecondition($"order_id: '{order.OrderId}' is not open yet; try again in a moment.");
        if (record.State is ExchangeState.Cancelled or ExchangeState.Rejected)
        {
            throw Refusal.FailedPrecondition($"order_id: '{order.OrderId}' is {ExchangeLifecycle.Name(record.State)} ({record.StateReason}); "
                + "it takes no more results.");
        }

        if (record.AcknowledgedAt is null)
        {
            // Answering is taking the order: it leaves the inbox, as with an Ack.
            await inbox.AckAsync(caller, order.OrderId, cancellationToken);
        }

        var recorded = await store.RecordAsync(order.OrderId, answer.Results, cancellationToken);
        var current = order with { Counts = recorded.Counts };
        var complete = recorded.Counts.Answered == order.Total;
        BulkLog.Answered(logger, order.OrderId, caller.Id, recorded.Recorded, recorded.Repeated, recorded.Counts.Answered, order.Total);
        // A chunk that only repeats results already recorded changes nothing and writes no entry (a partner resending cannot flood the log).
        var receipt = recorded.Recorded == 0 ? null : await access.AuditAsync(new AuditEvent(AuditEventKind.BulkItems, caller.ToRef(),
            $"BulkOrders/Answer: {recorded.Recorded} results recorded, {recorded.Repeated} repeated; {recorded.Counts.Answered} of "
            + $"{order.Total} answered", order.OrderId, order.Header.Case.CaseNumber, record.From, answer), cancellationToken);

        if (recorded.Recorded > 0 || (complete && record.State != ExchangeState.Answered))
        {
            record = await MoveOnAsync(caller, current, record, complete, cancellationToken);
        }

        return new BulkAnswerAck
        {
            Recorded = (uint)recorded.Recorded,
            Repeated = (uint)recorded.Repeated,
            Counts = recorded.Counts,
            Complete = complete,
            State = record.State,
            Receipt = receipt,
        };
    }

    /// <summary>The progress on the exchange (an event for watchers); the last result answers it.</summary>
    private async Task<ExchangeRecord> MoveOnAsync(PartnerIdentity caller, BulkOrderState order, ExchangeRecord record, bool complete,
        CancellationToken cancellationToken)
    {
        var final = complete ? new Result { BulkOrder = order.Counts } : null;
        var committed = await orders.MoveProgressAsync(order, record, final, cancellationToken);
        if (complete && committed.Events.Count > 0)
        {
            var c = order.Counts;
            BulkLog.Completed(logger, order.OrderId, c.Done, c.NotOurCustomer, c.AlreadyClosed, c.Refused);
            await access.AuditAsync(new AuditEvent(AuditEventKind.Answered, caller.ToRef(),
                $"bulk order answered: {c.Done} done, {c.NotOurCustomer} not our customer, {c.AlreadyClosed} already closed, "
                + $"{c.Refused} refused", order.OrderId, order.Header.Case.CaseNumber, record.From, final), cancellationToken);
        }

        return committed.Record;
    }

    private static void RequireUploaded(BulkOrderState order)
    {
        if (!order.Uploaded)
        {
            throw Refusal.FailedPrecondition($"order_id: '{order.OrderId}' is still being uploaded ({order.Received} of {order.Total} items).");
        }
    }

    private void Validate(BulkItemResult result, string at, uint total, DateTimeOffset now)
    {
        RequestValidator.Require(result.ItemNo is > 0 && result.ItemNo <= total, at + ".item_no", $"must be 1 to {total} (got {result.ItemNo})");
        RequestValidator.Require(result.Outcome is > BulkItemOutcome.Unspecified and <= BulkItemOutcome.Refused, at + ".outcome",
            "must be DONE, NOT_OUR_CUSTOMER, ALREADY_CLOSED or REFUSED");
        RequestValidator.Require(result.Outcome != BulkItemOutcome.Refused || result.Reason.Length > 0, at + ".reason",
            "is required when the item is REFUSED");
        RequestValidator.ValidatePast(result.DoneAt, at + ".done_at", policy.Current.Limits, now);
    }
}
