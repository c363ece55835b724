using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Exchanges;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Bulk;

/// <summary>
/// Who may touch which bulk order (its sender; its recipient), its progress (figures and the overdue items named) and the masking
/// of items on their way out. A missing order and another partner's order are refused alike, and audited.
/// </summary>
internal sealed class BulkOrderAccess(
    IBulkStore store,
    IExchangeStore exchanges,
    ExchangeAccess access,
    IDeliveryMasker masker,
    EventBus bus,
    DeadlinePolicy policy,
    HubBulkOptions options,
    TimeProvider time)
{
    public enum Side
    {
        Sender,
        Recipient,
        Either,
    }

    public async Task<BulkOrderState> VisibleAsync(PartnerIdentity caller, string orderId, Side side, string call,
        CancellationToken cancellationToken)
    {
        RequestValidator.Require(orderId.Length > 0, "order_id", "is required");
        var wellFormed = ExchangeIds.IsWellFormed(orderId);
        var order = wellFormed ? await store.GetAsync(orderId, cancellationToken) : null;
        var visible = order is not null && side switch
        {
            Side.Sender => order.Owner == caller.Id,
            Side.Recipient => order.Recipient == caller.Id,
            _ => order.Owner == caller.Id || order.Recipient == caller.Id,
        };
        if (!visible)
        {
            await access.DeniedAsync(caller, $"{call} of a bulk order " + (side == Side.Sender ? "it did not send" : "not addressed to it"),
                wellFormed ? orderId : null, cancellationToken);
            throw Refusal.PermissionDenied($"order_id: {RequestValidator.Shown(orderId)} does not exist or "
                + (side == Side.Sender ? "was not sent by" : side == Side.Recipient ? "is not addressed to" : "does not concern")
                + $" '{caller.Id}'.");
        }

        return order!;
    }

    /// <summary>The order's figures; once its deadline has passed, how many items are overdue and the first of them.</summary>
    public async Task<BulkProgress> ProgressAsync(BulkOrderState order, ExchangeRecord? record, int named, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var progress = new BulkProgress { Counts = order.Counts, UpdatedAt = Timestamp.FromDateTimeOffset(now) };
        if (record?.Deadline is { } deadline && now >= deadline.ToDateTimeOffset() && order.Counts.Answered < order.Total)
        {
            progress.Overdue = order.Total - order.Counts.Answered;
            progress.OverdueItems.AddRange(await store.UnansweredAsync(order.OrderId, named, cancellationToken));
        }

        return progress;
    }

    /// <summary>Moves the order's progress on its exchange (the figures, the overdue items named once the deadline has passed) with an
    /// event for its watchers; with <paramref name="final"/> the exchange is answered too.</summary>
    public async Task<Committed> MoveProgressAsync(BulkOrderState order, ExchangeRecord record, Result? final, CancellationToken cancellationToken)
    {
        var progress = await ProgressAsync(order, record, options.OverdueItemsNamed, cancellationToken);
        var committed = await exchanges.UpdateAsync(order.OrderId, r => ExchangeLifecycle.BulkProgressed(r, progress, final, time.GetUtcNow(),
            policy.Current.HoldPeriod), cancellationToken);
        bus.Publish(record.From.Id, committed.Events);
        return committed;
    }

    public Task<ExchangeRecord?> ExchangeAsync(BulkOrderState order, CancellationToken cancellationToken) =>
        order.Uploaded ? exchanges.GetAsync(order.OrderId, cancellationToken) : Task.FromResult<ExchangeRecord?>(null);

    /// <summary>Items, progress or an exchange as the caller may see them (the recipient: its customers' numbers or accounts).</summary>
    public T Masked<T>(PartnerIdentity caller, BulkOrderState order, T message)
        where T : class, IMessage<T> =>
        masker.Mask(message, new MaskingContext(caller, order.Header.Case.LegalBasis, Request.KindOneofCase.BulkOrder,
            order.Owner == caller.Id)).Message;
}
