using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;
using Grpc.Core;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// The responder side: a bank's or carrier's inbox stream, its acknowledgements and its answers (which
/// may open follow-up holds).
/// </summary>
internal sealed class InboxDelivery(
    IExchangeStore store,
    ExchangeAccess access,
    FollowTheMoney followTheMoney,
    InboxBroker broker,
    EventBus bus,
    DeadlineTracker deadlines,
    DeadlinePolicy policy,
    DeliveryRecorder recorder,
    DutyNotices dutyNotices,
    IDeliveryMasker masker,
    TimeProvider time,
    ILogger<InboxDelivery> logger)
{
    private const int DefaultWindow = 32;
    private const int MaxWindow = 1000;
    private const int MaxBatch = 64;
    private const int DefaultPeek = 50;
    private const int MaxPeek = 500;

    /// <summary>Delivers the caller's work until the stream ends (or the store is lost); unacknowledged items return to the
    /// queue.</summary>
    public Task SubscribeAsync(PartnerIdentity caller, SubscribeRequest request, IAsyncStreamWriter<InboxItem> stream,
        CancellationToken cancellationToken) =>
        access.WhileStoreHoldsAsync(token => SubscribeCoreAsync(caller, request, stream, token), cancellationToken);

    private async Task SubscribeCoreAsync(PartnerIdentity caller, SubscribeRequest request, IAsyncStreamWriter<InboxItem> stream,
        CancellationToken cancellationToken)
    {
        if (request.PartnerId.Length > 0 && request.PartnerId != caller.Id)
        {
            await access.DeniedAsync(caller, "Inbox/Subscribe to another partner's inbox", null, cancellationToken);
            throw Refusal.PermissionDenied($"'{caller.Id}' may subscribe only to its own inbox.");
        }

        var window = request.MaxInFlight is > 0 and <= MaxWindow ? (int)request.MaxInFlight : DefaultWindow;
        using var lease = broker.Open(caller.Id, window);
        ExchangeLog.Subscribed(logger, caller.Id, window, broker.Pending(caller.Id));
        // Work items and duty notices share the stream: one writer at a time.
        using var writes = new SemaphoreSlim(1, 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var notices = request.DutyNotices ? dutyNotices.Subscribe(caller.Id) : null;
        var noticesSent = notices is null ? Task.CompletedTask : SendNoticesAsync(caller, notices, stream, writes, stop.Token);
        stream = new GatedWriter(stream, writes);
        try
        {
            var batch = new List<(string Id, uint Attempt)>();
            while (true)
            {
                // Wait for one item, then take what else is already waiting (up to the window) and read
                // their records together: with a networked store that is one round trip, not one per item.
                batch.Clear();
                batch.Add(await lease.NextAsync(cancellationToken));
                while (batch.Count < MaxBatch && lease.TryNext(out var more))
                {
                    batch.Add(more);
                }

                var records = await Task.WhenAll(batch.Select(b => store.GetAsync(b.Id, cancellationToken)));
                for (var i = 0; i < batch.Count; i++)
                {
                    await DeliverAsync(caller, lease, batch[i].Id, batch[i].Attempt, records[i], stream, cancellationToken);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await noticesSent.ContinueWith(static _ => { }, TaskScheduler.Default);
            ExchangeLog.Unsubscribed(logger, caller.Id);
        }
    }

    /// <summary>Duty notices for the caller, written between work items until the stream ends; each delivery is audited.</summary>
    private async Task SendNoticesAsync(PartnerIdentity caller, DutyNotices.Subscription notices, IAsyncStreamWriter<InboxItem> stream,
        SemaphoreSlim writes, CancellationToken cancellationToken)
    {
        await foreach (var notice in notices.Reader.ReadAllAsync(cancellationToken))
        {
            await writes.WaitAsync(cancellationToken);
            try
            {
                await stream.WriteAsync(new InboxItem { ExchangeId = notice.ExchangeId, DutyNotice = notice }, cancellationToken);
            }
            finally
            {
                writes.Release();
            }

            await access.AuditAsync(new AuditEvent(AuditEventKind.Escalated, null, $"duty notice {notice.Level} delivered",
                notice.ExchangeId, null, caller.ToRef()), cancellationToken);
        }
    }

    /// <summary>A stream writer that takes the shared lock for each write.</summary>
    private sealed class GatedWriter(IAsyncStreamWriter<InboxItem> inner, SemaphoreSlim writes) : IAsyncStreamWriter<InboxItem>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(InboxItem message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(InboxItem message, CancellationToken cancellationToken)
        {
            await writes.WaitAsync(cancellationToken);
            try
            {
                await inner.WriteAsync(message, cancellationToken);
            }
            finally
            {
                writes.Release();
            }
        }
    }

    private async Task DeliverAsync(PartnerIdentity caller, InboxBroker.InboxLease lease, string id, uint attempt, ExchangeRecord? record,
        IAsyncStreamWriter<InboxItem> stream, CancellationToken cancellationToken)
    {
        if (record is null || ExchangeStates.IsTerminal(record.State) || record.To.Id != caller.Id)
        {
            lease.Drop(id);
            return;
        }

        // The broker counts leases: the stored count may lag, as deliveries are recorded without waiting.
        var item = Item(record, Math.Max(attempt, record.DeliveryAttempts + 1));
        var masked = masker.Mask(item, new MaskingContext(caller, record.Case.LegalBasis, record.Request.KindCase, false));
        await stream.WriteAsync(masked.Message, cancellationToken);

        // Recorded and audited without holding up the next delivery: a stream must not wait one fsync per item.
        recorder.Delivered(caller, new AuditEvent(AuditEventKind.Delivered, record.From, $"attempt {item.DeliveryAttempt}",
            record.ExchangeId, record.Case.CaseNumber, caller.ToRef(), masked.Message, masked.Decisions));
    }

    private static InboxItem Item(ExchangeRecord record, uint attempt) => new()
    {
        ExchangeId = record.ExchangeId,
        From = record.From,
        Priority = record.Priority,
        Case = record.Case,
        Request = record.Request,
        Deadline = record.Deadline,
        SubmittedAt = record.SubmittedAt,
        DeliveryAttempt = attempt,
        ParentExchangeId = record.ParentExchangeId,
        CaseWindowEndsAt = record.CaseWindowEndsAt,
    };

    /// <summary>The caller's outstanding work, masked as a delivery would be, without leasing it or recording a delivery.</summary>
    public async Task<PeekResponse> PeekAsync(PartnerIdentity caller, PeekRequest request, CancellationToken cancellationToken)
    {
        if (request.MaxItems > MaxPeek)
        {
            throw Refusal.InvalidArgument($"max_items: {request.MaxItems} is more than {MaxPeek}; page with Subscribe, or ask for fewer.");
        }

        var ids = broker.Peek(caller.Id, request.MaxItems == 0 ? DefaultPeek : (int)request.MaxItems);
        var records = await Task.WhenAll(ids.Select(id => store.GetAsync(id, cancellationToken)));
        var response = new PeekResponse { Outstanding = (uint)broker.Pending(caller.Id) };
        foreach (var record in records)
        {
            if (record is not null && !ExchangeStates.IsTerminal(record.State) && record.To.Id == caller.Id)
            {
                response.Items.Add(masker.Mask(Item(record, record.DeliveryAttempts),
                    new MaskingContext(caller, record.Case.LegalBasis, record.Request.KindCase, false)).Message);
            }
        }

        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), $"Inbox/Peek: {response.Items.Count} items listed",
            null),
            cancellationToken);
        return response;
    }

    public async Task<AckResponse> AckAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken)
    {
        var record = await access.AddressedAsync(caller, exchangeId, cancellationToken);
        var committed = await store.UpdateAsync(record.ExchangeId, r => ExchangeLifecycle.Acknowledged(r, time.GetUtcNow()),
            cancellationToken);
        broker.Complete(caller.Id, exchangeId);
        bus.Publish(record.From.Id, committed.Events);
        var receipt = await access.AuditAsync(new AuditEvent(AuditEventKind.Acknowledged, caller.ToRef(), "acknowledged", exchangeId,
            record.Case.CaseNumber, record.From), cancellationToken);
        return new AckResponse { State = committed.Record.State, Receipt = receipt };
    }

    public async Task<RespondResponse> RespondAsync(PartnerIdentity caller, RespondRequest request, CancellationToken cancellationToken)
    {
        var record = await access.AddressedAsync(caller, request.ExchangeId, cancellationToken);
        var rejecting = request.RejectionReason.Length > 0;
        var rules = policy.Current;
        if (!rejecting)
        {
            RequestValidator.ValidateResult(record, request.Result, rules.Limits, time.GetUtcNow());
        }

        var committed = await store.UpdateAsync(record.ExchangeId, r => rejecting
            ? ExchangeLifecycle.Rejected(r, request.RejectionReason, time.GetUtcNow())
            : ExchangeLifecycle.Answered(r, request.Result, time.GetUtcNow(), rules.HoldPeriod), cancellationToken);

        // What was committed is audited first: nothing after this line can leave an answer without its entry.
        var receipt = await access.AuditAsync(new AuditEvent(rejecting ? AuditEventKind.Rejected : AuditEventKind.Answered, caller.ToRef(),
            rejecting ? "rejected" : "answered", record.ExchangeId, record.Case.CaseNumber, record.From, request), cancellationToken);
        broker.Complete(caller.Id, record.ExchangeId);
        bus.Publish(record.From.Id, committed.Events);
        var answered = committed.Record;
        if (committed.Events.Count > 0)
        {
            ExchangeLog.Answered(logger, record.ExchangeId, answered.State, caller.Id, record.From.Id);
        }

        if (answered.HoldExpiresAt is not null && committed.Events.Count > 0)
        {
            deadlines.Track(answered);
        }

        var response = new RespondResponse { State = answered.State, Receipt = receipt };
        if (!rejecting)
        {
            response.FollowUpExchangeIds.AddRange(await followTheMoney.FollowAsync(answered, cancellationToken));
        }

        return response;
    }
}
