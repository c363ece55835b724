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
/// BulkOrders/Send: a police unit streams an order's header, then its items in chunks. Each chunk is durable before it is
/// acknowledged with the count stored, so a broken upload resumes (same idempotency key) from that count. When the last item is
/// stored the order opens as an exchange to its recipient, through the same intake as any submission: queued, deadline tracked,
/// watched, audited. Only one chunk is in memory at a time.
/// </summary>
internal sealed class BulkUploads(
    IBulkStore store,
    ExchangeIntake intake,
    Submissions submissions,
    ExchangeAccess access,
    DeadlinePolicy policy,
    PartnerRegistry registry,
    HubBulkOptions options,
    TimeProvider time,
    ILogger<BulkUploads> logger)
{
    public async Task SendAsync(PartnerIdentity caller, IAsyncStreamReader<BulkUpload> requests, IAsyncStreamWriter<BulkUploadAck> responses,
        CancellationToken cancellationToken)
    {
        if (!await requests.MoveNext(cancellationToken))
        {
            return;
        }

        RequestValidator.Require(requests.Current.PartCase == BulkUpload.PartOneofCase.Header, "header",
            "must be the first message of an upload (then the items, in chunks of at most 1,000)");
        var header = requests.Current.Header;
        var submit = AsSubmission(header);
        RequestValidator.Validate(submit, registry, policy.Current.Limits, time.GetUtcNow());
        await submissions.RequireReachableAsync(caller, header.Recipient.Id, cancellationToken);

        var (order, duplicate) = await store.OpenAsync(ExchangeIds.New(time.GetUtcNow()), caller.Id, header, options.MaxUnfinishedUploads,
            cancellationToken);
        if (duplicate && !SameOrder(order.Header, header))
        {
            throw Refusal.FailedPrecondition($"header.idempotency_key: '{header.IdempotencyKey}' opened order '{order.OrderId}' "
                + "with another recipient, kind or item count; use a new key for a new order.");
        }

        var receipt = duplicate ? null : await access.AuditAsync(new AuditEvent(AuditEventKind.BulkItems, caller.ToRef(),
            $"bulk order opened: {order.Total} items to '{order.Recipient}', upload started", order.OrderId, header.Case.CaseNumber,
            header.Recipient, header), cancellationToken);
        BulkLog.Opened(logger, order.OrderId, caller.Id, order.Recipient, order.Total, duplicate, order.Received);
        var ack = await AckAsync(caller, order, order.Received, submit, cancellationToken);
        ack.Duplicate = duplicate;
        ack.Receipt ??= receipt;
        await responses.WriteAsync(ack, cancellationToken);

        var received = order.Received;
        while (await requests.MoveNext(cancellationToken))
        {
            RequestValidator.Require(requests.Current.PartCase == BulkUpload.PartOneofCase.Items, "items",
                "after the header every message carries items (a new order needs a new upload)");
            var items = requests.Current.Items.Items;
            RequestValidator.Require(items.Count is > 0 and <= BulkOrderRules.ChunkSize, "items.items",
                $"must hold 1 to {BulkOrderRules.ChunkSize} items");
            for (var i = 0; i < items.Count; i++)
            {
                ValidateItem(items[i], $"items[{i}]", order);
            }

            var before = received;
            received = await store.AppendAsync(order.OrderId, items, cancellationToken);
            if (received > before)
            {
                await access.AuditAsync(new AuditEvent(AuditEventKind.BulkItems, caller.ToRef(),
                    $"BulkOrders/Send: items {before + 1}-{received} of {order.Total} stored", order.OrderId, header.Case.CaseNumber,
                    header.Recipient, requests.Current), cancellationToken);
            }

            await responses.WriteAsync(await AckAsync(caller, order, received, submit, cancellationToken), cancellationToken);
        }
    }

    /// <summary>The acknowledgement of what is stored; once every item is, the order's exchange is opened first (idempotently).</summary>
    private async Task<BulkUploadAck> AckAsync(PartnerIdentity caller, BulkOrderState order, uint received, SubmitRequest submit,
        CancellationToken cancellationToken)
    {
        var ack = new BulkUploadAck { OrderId = order.OrderId, Received = received, Total = order.Total };
        if (received == order.Total)
        {
            var outcome = await intake.AcceptAsync(caller, submit, parent: null, cancellationToken, exchangeId: order.OrderId);
            var submitted = await submissions.AuditedAsync(caller, submit, outcome, cancellationToken);
            ack.Complete = true;
            ack.Deadline = submitted.Deadline;
            ack.Receipt = submitted.Receipt;
        }

        return ack;
    }

    private static SubmitRequest AsSubmission(BulkOrderHeader header) => new()
    {
        IdempotencyKey = header.IdempotencyKey.Length == 0 ? string.Empty : "bulk:" + header.IdempotencyKey,
        Recipient = header.Recipient ?? new PartnerRef(),
        Priority = header.Priority,
        Case = header.Case,
        Request = new Request { BulkOrder = header.Order ?? new BulkOrderNotice() },
    };

    private static bool SameOrder(BulkOrderHeader stored, BulkOrderHeader asked) =>
        stored.Recipient.Id == asked.Recipient.Id && stored.Order.Kind == asked.Order.Kind && stored.Order.TotalItems == asked.Order.TotalItems;

    private static void ValidateItem(BulkItem item, string at, BulkOrderState order)
    {
        RequestValidator.Require(item.ItemNo is > 0 && item.ItemNo <= order.Total, at + ".item_no", $"must be 1 to {order.Total} (got {item.ItemNo})");
        if (order.Header.Order.Kind == BulkOrderKind.SuspendNumbers)
        {
            RequestValidator.Require(item.TargetCase == BulkItem.TargetOneofCase.Number, at + ".number",
                "is required: a suspension order lists phone numbers");
            RequestValidator.ValidatePhone(item.Number, at + ".number", required: true);
            return;
        }

        RequestValidator.Require(item.TargetCase == BulkItem.TargetOneofCase.Account, at + ".account",
            "is required: a restriction order lists accounts");
        RequestValidator.ValidateAccount(item.Account, at + ".account", order.Recipient);
    }
}
