using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// The exchange's behaviour behind the gRPC handlers: accept, deliver, acknowledge, answer, follow the
/// money, cancel, and read back, each durable before it is acknowledged, published to watchers after
/// commit, and audited.
/// </summary>
internal sealed class ExchangeCoordinator(
    IExchangeStore store,
    InboxBroker broker,
    EventBus bus,
    DeadlineTracker deadlines,
    DeadlinePolicy policy,
    PartnerRegistry registry,
    PartnerCertificates certificates,
    IAuditSink audit,
    RefusalAudit refusals,
    IDeliveryMasker masker,
    TimeProvider time,
    ILogger<ExchangeCoordinator> logger)
{
    private const uint DefaultFollowDepth = 3;

    public async Task<SubmitResponse> SubmitAsync(PartnerIdentity caller, SubmitRequest request, CancellationToken cancellationToken)
    {
        RequestValidator.Validate(request, registry, policy.Current.Limits, time.GetUtcNow());
        if (certificates.RevokedReason(request.Recipient.Id) is { } revoked)
        {
            // Queued, it would wait for a partner that can no longer collect it, while its deadline ran.
            await DeniedAsync(caller, $"submission to '{request.Recipient.Id}' refused: {revoked}", null, cancellationToken);
            throw Refusal.FailedPrecondition($"recipient.id: '{request.Recipient.Id}' cannot receive requests: {revoked}; "
                + "nothing is delivered to it until it connects with a new certificate");
        }

        await ValidateReferencesAsync(caller, request, cancellationToken);
        var outcome = await AcceptAsync(caller, request, parent: null, cancellationToken);
        var record = outcome.Record;
        // The deadline goes into the entry, so lateness can be shown from the log alone.
        var receipt = outcome.Duplicate ? null : await AuditAsync(new AuditEvent(AuditEventKind.Submitted, caller.ToRef(),
            $"{RequestValidator.KindName(record.Request.KindCase)}; deadline {record.Deadline.ToDateTimeOffset():O}", record.ExchangeId, record.Case.CaseNumber, record.To, request), cancellationToken);
        return new SubmitResponse
        {
            ExchangeId = record.ExchangeId,
            Deadline = record.Deadline,
            State = record.State,
            Duplicate = outcome.Duplicate,
            Receipt = receipt,
        };
    }

    /// <summary>Stores a new exchange (a police submission or a follow-up), then queues, tracks and publishes it.</summary>
    private async Task<SubmitOutcome> AcceptAsync(PartnerIdentity submitter, SubmitRequest request, ExchangeRecord? parent, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var deadline = now + policy.Current.DeadlineFor(request.Request.KindCase, request.Priority);
        var record = new ExchangeRecord
        {
            ExchangeId = ExchangeIds.New(now),
            From = submitter.ToRef(),
            To = new PartnerRef { Kind = RequestValidator.RecipientKindFor(request.Request.KindCase), Id = request.Recipient.Id },
            Priority = request.Priority,
            Case = request.Case,
            Request = request.Request,
            State = ExchangeState.Submitted,
            SubmittedAt = Timestamp.FromDateTimeOffset(now),
            Deadline = Timestamp.FromDateTimeOffset(deadline),
            IdempotencyKey = request.IdempotencyKey,
            ParentExchangeId = parent?.ExchangeId ?? string.Empty,
            FollowDepth = parent is null ? 0 : parent.FollowDepth + 1,
        };
        var outcome = await store.SubmitAsync(record, ExchangeLifecycle.Submitted(record, now).Events, cancellationToken);
        if (!outcome.Duplicate)
        {
            broker.Enqueue(new PendingDelivery(record.ExchangeId, record.To.Id, record.Priority, outcome.QueueOrder));
            deadlines.Track(record);
            bus.Publish(submitter.Id, outcome.Events);
            ExchangeLog.Accepted(logger, record.ExchangeId, RequestValidator.KindName(record.Request.KindCase), record.Priority, submitter.Id, record.To.Id, record.Case.CaseNumber, deadline);
        }

        return outcome;
    }

    /// <summary>
    /// A field naming another exchange must name one the caller submitted, of the right kind, at the
    /// same bank, on the same account: a renewal names the stop-payment it renews, a release the freeze
    /// it releases. Another centre's exchange and a missing one get the same PERMISSION_DENIED.
    /// </summary>
    private async Task ValidateReferencesAsync(PartnerIdentity caller, SubmitRequest request, CancellationToken cancellationToken)
    {
        var r = request.Request;
        switch (r.KindCase)
        {
            case Request.KindOneofCase.StopPayment when r.StopPayment.RenewsExchangeId.Length > 0:
                var previous = await ReferencedAsync(caller, r.StopPayment.RenewsExchangeId, "request.stop_payment.renews_exchange_id",
                    Request.KindOneofCase.StopPayment, request.Recipient.Id, r.StopPayment.Account.AccountNumber, "stop-payment", cancellationToken);
                await ValidateRenewalCountAsync(previous, cancellationToken);
                break;
            case Request.KindOneofCase.FreezeRelease:
                await ReferencedAsync(caller, r.FreezeRelease.FreezeExchangeId, "request.freeze_release.freeze_exchange_id",
                    Request.KindOneofCase.Freeze, request.Recipient.Id, r.FreezeRelease.Account.AccountNumber, "freeze", cancellationToken);
                break;
        }
    }

    private async Task<ExchangeRecord> ReferencedAsync(PartnerIdentity caller, string id, string field, Request.KindOneofCase kind,
        string bank, string account, string kindName, CancellationToken cancellationToken)
    {
        var referenced = ExchangeIds.IsWellFormed(id) ? await store.GetAsync(id, cancellationToken) : null;
        if (referenced is null || referenced.From.Id != caller.Id)
        {
            await DeniedAsync(caller, $"{field} names an exchange it did not submit", ExchangeIds.IsWellFormed(id) ? id : null, cancellationToken);
            throw Refusal.PermissionDenied($"{field}: {RequestValidator.Shown(id)} is not a {kindName} submitted by '{caller.Id}'.");
        }

        if (referenced.Request.KindCase != kind)
        {
            throw Refusal.InvalidArgument($"{field}: '{id}' is a {RequestValidator.KindName(referenced.Request.KindCase)}, not a {kindName}.");
        }

        if (referenced.To.Id != bank)
        {
            throw Refusal.InvalidArgument($"{field}: the {kindName} '{id}' went to '{referenced.To.Id}', but this request is addressed to '{bank}'.");
        }

        var (_, heldAccount) = SqliteExchangeStore.HoldKey(referenced);
        if (heldAccount != account)
        {
            throw Refusal.InvalidArgument($"{field}: the {kindName} '{id}' holds another account than this request names.");
        }

        return referenced;
    }

    private async Task ValidateRenewalCountAsync(ExchangeRecord previous, CancellationToken cancellationToken)
    {
        var max = policy.Current.MaxHoldRenewals;
        var renewals = 0;
        for (var r = previous; r is not null && r.Request.StopPayment.RenewsExchangeId.Length > 0 && renewals <= max;
            r = await store.GetAsync(r.Request.StopPayment.RenewsExchangeId, cancellationToken))
        {
            renewals++;
        }

        if (renewals >= max)
        {
            throw Refusal.FailedPrecondition(
                $"request.stop_payment.renews_exchange_id: the hold was already renewed {renewals} times; at most {max} renewals are allowed. Use a freeze.");
        }
    }

    public async Task<ExchangeRecord> GetAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken)
    {
        var record = await OwnAsync(caller, exchangeId, cancellationToken);
        await AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Exchange/Get", record.ExchangeId, record.Case.CaseNumber), cancellationToken);
        return ForSubmitter(caller, record);
    }

    public async Task<CaseView> GetCaseAsync(PartnerIdentity caller, string caseNumber, CancellationToken cancellationToken)
    {
        if (caseNumber.Length == 0)
        {
            throw Refusal.InvalidArgument("case_number: is required.");
        }

        var records = await store.GetCaseAsync(caller.Id, caseNumber, cancellationToken);
        if (records.Count == 0)
        {
            throw Refusal.PermissionDenied($"Case {RequestValidator.Shown(caseNumber)} does not exist or was not opened by '{caller.Id}'.");
        }

        await AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Exchange/GetCase", null, caseNumber), cancellationToken);
        var view = new CaseView { CaseNumber = caseNumber };
        view.Exchanges.AddRange(records.Select(r => ForSubmitter(caller, r)));
        return view;
    }

    public async Task<ExchangeRecord> CancelAsync(PartnerIdentity caller, CancelExchangeRequest request, CancellationToken cancellationToken)
    {
        var record = await OwnAsync(caller, request.ExchangeId, cancellationToken);
        var reason = request.Reason.Length > 0 ? request.Reason : "withdrawn by the submitter";
        var committed = await store.UpdateAsync(record.ExchangeId, r => ExchangeLifecycle.Cancelled(r, reason, time.GetUtcNow()), cancellationToken);
        broker.Complete(committed.Record.To.Id, committed.Record.ExchangeId);
        bus.Publish(caller.Id, committed.Events);
        // The reason is free text: only its salted commitment enters the log, never the words.
        await AuditAsync(new AuditEvent(AuditEventKind.Cancelled, caller.ToRef(), "cancelled by the submitter", record.ExchangeId, record.Case.CaseNumber, record.To, request),
            cancellationToken);
        return ForSubmitter(caller, committed.Record);
    }

    /// <summary>Streams every event of the target from after_sequence on, then live; ends with the call, or UNAVAILABLE when the store is lost.</summary>
    public Task WatchAsync(PartnerIdentity caller, WatchRequest request, IAsyncStreamWriter<WatchEvent> stream, CancellationToken cancellationToken) =>
        WhileStoreHoldsAsync(token => WatchCoreAsync(caller, request, stream, token), cancellationToken);

    /// <summary>Delivers the caller's work until the stream ends (or the store is lost); unacknowledged items return to the queue.</summary>
    public Task SubscribeAsync(PartnerIdentity caller, SubscribeRequest request, IAsyncStreamWriter<InboxItem> stream, CancellationToken cancellationToken) =>
        WhileStoreHoldsAsync(token => SubscribeCoreAsync(caller, request, stream, token), cancellationToken);

    /// <summary>
    /// Runs a stream until the call ends. When a shared store becomes unreachable the stream ends
    /// UNAVAILABLE, so the client reconnects (to this replica once the store is back, or to another).
    /// </summary>
    private async Task WhileStoreHoldsAsync(Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        var lost = store.Lost;
        if (lost.IsCancellationRequested)
        {
            throw new StoreUnavailableException("The hub's shared store is unavailable; reconnect shortly (or to another replica).");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lost);
        try
        {
            await run(linked.Token);
        }
        catch (Exception e) when (e is StoreUnavailableException || (e is OperationCanceledException && lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            throw new StoreUnavailableException("The hub lost its shared store; reconnect shortly (or to another replica).", e);
        }
    }

    private async Task WatchCoreAsync(PartnerIdentity caller, WatchRequest request, IAsyncStreamWriter<WatchEvent> stream, CancellationToken cancellationToken)
    {
        WatchTarget target;
        switch (request.TargetCase)
        {
            case WatchRequest.TargetOneofCase.ExchangeId:
                await OwnAsync(caller, request.ExchangeId, cancellationToken);
                target = WatchTarget.Exchange(request.ExchangeId);
                break;
            case WatchRequest.TargetOneofCase.CaseNumber:
                if (request.CaseNumber.Length == 0 || (await store.GetCaseAsync(caller.Id, request.CaseNumber, cancellationToken)).Count == 0)
                {
                    throw Refusal.PermissionDenied($"Case {RequestValidator.Shown(request.CaseNumber)} does not exist or was not opened by '{caller.Id}'.");
                }

                target = WatchTarget.Case(caller.Id, request.CaseNumber);
                break;
            default:
                throw Refusal.InvalidArgument("target: set exchange_id or case_number.");
        }

        await AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Exchange/Watch", request.ExchangeId, request.CaseNumber), cancellationToken);

        // Subscribe first, then read what is stored. Live events only wake the stream: it always reads
        // the store from its last sequence on, so events reach the client in sequence order, without gaps,
        // even when concurrent commits (or another replica) publish them out of order; and a client that
        // resumes from the highest sequence it saw misses nothing.
        using var live = bus.Subscribe(target);
        var last = request.AfterSequence;
        while (true)
        {
            while (true)
            {
                var page = await store.ReadEventsAsync(target, last, 500, cancellationToken);
                foreach (var e in page)
                {
                    await stream.WriteAsync(ForSubmitter(caller, e), cancellationToken);
                    last = e.Sequence;
                }

                if (page.Count < 500)
                {
                    break;
                }
            }

            // The subscription keeps one pending wake-up (a stream that never reads holds no backlog) and the
            // highest sequence notified; the store is read again only when something newer was committed.
            while (live.Highest <= last)
            {
                if (!await live.Reader.WaitToReadAsync(cancellationToken))
                {
                    return;
                }

                while (live.Reader.TryRead(out _))
                {
                }
            }
        }
    }

    private async Task SubscribeCoreAsync(PartnerIdentity caller, SubscribeRequest request, IAsyncStreamWriter<InboxItem> stream, CancellationToken cancellationToken)
    {
        if (request.PartnerId.Length > 0 && request.PartnerId != caller.Id)
        {
            await DeniedAsync(caller, "Inbox/Subscribe to another partner's inbox", null, cancellationToken);
            throw Refusal.PermissionDenied($"'{caller.Id}' may subscribe only to its own inbox.");
        }

        var window = request.MaxInFlight is > 0 and <= 1000 ? (int)request.MaxInFlight : 32;
        using var lease = broker.Open(caller.Id, window);
        ExchangeLog.Subscribed(logger, caller.Id, window, broker.Pending(caller.Id));
        try
        {
            var batch = new List<(string Id, uint Attempt)>();
            while (true)
            {
                // Wait for one item, then take what else is already waiting (up to the window) and read
                // their records together: with a networked store that is one round trip, not one per item.
                batch.Clear();
                batch.Add(await lease.NextAsync(cancellationToken));
                while (batch.Count < 64 && lease.TryNext(out var more))
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
            ExchangeLog.Unsubscribed(logger, caller.Id);
        }
    }

    private async Task DeliverAsync(PartnerIdentity caller, InboxBroker.InboxLease lease, string id, uint attempt, ExchangeRecord? record,
        IAsyncStreamWriter<InboxItem> stream, CancellationToken cancellationToken)
    {
        if (record is null || ExchangeLifecycle.IsTerminal(record.State) || record.To.Id != caller.Id)
        {
            lease.Drop(id);
            return;
        }

        // Record the delivery without waiting for its commit: at-least-once needs no durable
        // DELIVERED (a crash before it commits means one more delivery). On the embedded store the
        // single writer keeps this write ahead of the recipient's Ack; on Redis an Ack that overtakes it
        // leaves it counting the attempt only (a state never goes back).
        _ = RecordDeliveryAsync(caller, id);
        var item = new InboxItem
        {
            ExchangeId = record.ExchangeId,
            From = record.From,
            Priority = record.Priority,
            Case = record.Case,
            Request = record.Request,
            Deadline = record.Deadline,
            SubmittedAt = record.SubmittedAt,
            // The broker counts leases: the stored count may lag, as deliveries are recorded without waiting.
            DeliveryAttempt = Math.Max(attempt, record.DeliveryAttempts + 1),
            ParentExchangeId = record.ParentExchangeId,
        };
        var masked = masker.Mask(item, new MaskingContext(caller, record.Case.LegalBasis, record.Request.KindCase, false));
        await stream.WriteAsync(masked.Message, cancellationToken);

        // Audited without holding up the next delivery: a stream must not wait one fsync per item.
        _ = AuditDeliveryAsync(new AuditEvent(AuditEventKind.Delivered, record.From, $"attempt {item.DeliveryAttempt}",
            record.ExchangeId, record.Case.CaseNumber, caller.ToRef(), masked.Message, masked.Decisions));
    }

    private async Task AuditDeliveryAsync(AuditEvent delivered)
    {
        try
        {
            await audit.RecordAsync(delivered, CancellationToken.None);
        }
        catch (Exception ex)
        {
            ExchangeLog.DeliveryNotAudited(logger, delivered.ExchangeId ?? "-", ex);
        }
    }

    private async Task RecordDeliveryAsync(PartnerIdentity caller, string exchangeId)
    {
        try
        {
            var committed = await store.UpdateAsync(exchangeId, r => ExchangeLifecycle.Delivered(r, time.GetUtcNow()), CancellationToken.None);
            bus.Publish(committed.Record.From.Id, committed.Events);
        }
        catch (Exception ex)
        {
            ExchangeLog.DeliveryNotRecorded(logger, exchangeId, caller.Id, ex);
        }
    }

    public async Task<AckResponse> AckAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken)
    {
        var record = await AddressedAsync(caller, exchangeId, cancellationToken);
        var committed = await store.UpdateAsync(record.ExchangeId, r => ExchangeLifecycle.Acknowledged(r, time.GetUtcNow()), cancellationToken);
        broker.Complete(caller.Id, exchangeId);
        bus.Publish(record.From.Id, committed.Events);
        var receipt = await AuditAsync(new AuditEvent(AuditEventKind.Acknowledged, caller.ToRef(), "acknowledged", exchangeId, record.Case.CaseNumber, record.From), cancellationToken);
        return new AckResponse { State = committed.Record.State, Receipt = receipt };
    }

    public async Task<RespondResponse> RespondAsync(PartnerIdentity caller, RespondRequest request, CancellationToken cancellationToken)
    {
        var record = await AddressedAsync(caller, request.ExchangeId, cancellationToken);
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
        var receipt = await AuditAsync(new AuditEvent(rejecting ? AuditEventKind.Rejected : AuditEventKind.Answered, caller.ToRef(),
            rejecting ? "rejected" : "answered", record.ExchangeId, record.Case.CaseNumber, record.From, request), cancellationToken);
        broker.Complete(caller.Id, record.ExchangeId);
        bus.Publish(record.From.Id, committed.Events);
        var answered = committed.Record;
        if (answered.HoldExpiresAt is not null && committed.Events.Count > 0)
        {
            deadlines.Track(answered);
        }

        var response = new RespondResponse { State = answered.State, Receipt = receipt };
        if (!rejecting)
        {
            response.FollowUpExchangeIds.AddRange(await FollowTheMoneyAsync(answered, cancellationToken));
        }

        return response;
    }

    /// <summary>
    /// Opens follow-up holds at the banks the money went on to, when the case opted in: same kind of
    /// hold, linked to its parent, within the depth limit and above the amount threshold, and never a
    /// second hold on an account already held in this case. Idempotent per (parent, transfer).
    /// </summary>
    private async Task<IReadOnlyList<string>> FollowTheMoneyAsync(ExchangeRecord answered, CancellationToken cancellationToken)
    {
        var follow = answered.Case.FollowTheMoney;
        var hold = answered.Result.KindCase switch
        {
            Result.KindOneofCase.StopPayment => answered.Result.StopPayment,
            Result.KindOneofCase.Freeze => answered.Result.Freeze,
            _ => null,
        };
        var maxDepth = follow?.MaxDepth is > 0 ? follow.MaxDepth : DefaultFollowDepth;
        if (follow is not { Enabled: true } || hold is null || answered.FollowDepth >= maxDepth)
        {
            return [];
        }

        var submitter = new PartnerIdentity(answered.From.Kind, answered.From.Id);
        var opened = new List<string>();
        for (var i = 0; i < hold.OnwardTransfers.Count; i++)
        {
            var transfer = hold.OnwardTransfers[i];
            var to = transfer.Counterparty;
            if (transfer.Direction == TransferDirection.Credit
                || (follow.MinAmount is { } min && transfer.Amount.MinorUnits < min.MinorUnits)
                || !registry.TryGet(to.BankId, out var bank) || bank.Kind != PartnerKind.Bank || !bank.Enabled)
            {
                ExchangeLog.NotFollowed(logger, answered.ExchangeId, i, to.BankId);
                continue;
            }

            if (await store.FindHoldAsync(submitter.Id, answered.Case.CaseNumber, to.BankId, to.AccountNumber, cancellationToken) is not null)
            {
                continue;
            }

            var request = new Request();
            var victim = answered.Request.KindCase == Request.KindOneofCase.StopPayment ? answered.Request.StopPayment.Victim : answered.Request.Freeze.Victim;
            var reason = $"following the money from {answered.ExchangeId} (transfer {transfer.TransactionId})";
            if (answered.Request.KindCase == Request.KindOneofCase.StopPayment)
            {
                request.StopPayment = new StopPaymentNotice { Account = to, Amount = transfer.Amount, Victim = victim, ReportedTransfer = transfer, Reason = reason };
            }
            else
            {
                request.Freeze = new FreezeNotice { Account = to, Amount = transfer.Amount, Victim = victim, ReportedTransfer = transfer, Reason = reason };
            }

            var submit = new SubmitRequest
            {
                IdempotencyKey = $"follow:{answered.ExchangeId}:{(transfer.TransactionId.Length > 0 ? transfer.TransactionId : i.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = to.BankId },
                Priority = answered.Priority,
                Case = answered.Case,
                Request = request,
            };
            var outcome = await AcceptAsync(submitter, submit, answered, cancellationToken);
            if (!outcome.Duplicate)
            {
                await AuditAsync(new AuditEvent(AuditEventKind.Submitted, submitter.ToRef(), "follow-up " + RequestValidator.KindName(request.KindCase),
                    outcome.Record.ExchangeId, answered.Case.CaseNumber, outcome.Record.To, submit), cancellationToken);
            }

            opened.Add(outcome.Record.ExchangeId);
        }

        return opened;
    }

    private Task<ExchangeRecord> OwnAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken) =>
        VisibleAsync(caller, exchangeId, r => r.From.Id == caller.Id, "read of an exchange it did not submit", "was not submitted by", cancellationToken);

    private Task<ExchangeRecord> AddressedAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken) =>
        VisibleAsync(caller, exchangeId, r => r.To.Id == caller.Id, "answer to an exchange not addressed to it", "is not addressed to", cancellationToken);

    /// <summary>
    /// The exchange, when the caller may see it. A missing exchange and another partner's exchange get
    /// the same PERMISSION_DENIED, so a refusal tells nothing about other partners' work.
    /// </summary>
    private async Task<ExchangeRecord> VisibleAsync(PartnerIdentity caller, string exchangeId, Func<ExchangeRecord, bool> visible,
        string auditDetail, string relation, CancellationToken cancellationToken)
    {
        if (exchangeId.Length == 0)
        {
            throw Refusal.InvalidArgument("exchange_id: is required.");
        }

        // An id the hub could never have issued is not looked up, and never written to the log.
        var wellFormed = ExchangeIds.IsWellFormed(exchangeId);
        var record = wellFormed ? await store.GetAsync(exchangeId, cancellationToken) : null;
        if (record is null || !visible(record))
        {
            await DeniedAsync(caller, auditDetail, wellFormed ? exchangeId : null, cancellationToken);
            throw Refusal.PermissionDenied($"Exchange {RequestValidator.Shown(exchangeId)} does not exist or {relation} '{caller.Id}'.");
        }

        return record;
    }

    private T ForSubmitter<T>(PartnerIdentity caller, T message)
        where T : class, Google.Protobuf.IMessage<T>
    {
        var record = message as ExchangeRecord ?? (message as WatchEvent)?.Snapshot;
        return masker.Mask(message, new MaskingContext(caller, record?.Case?.LegalBasis ?? LegalBasis.Unspecified,
            record?.Request?.KindCase ?? Request.KindOneofCase.None, true)).Message;
    }

    /// <summary>A refused request, audited through the refusal aggregator: a partner repeating it cannot flood the log.</summary>
    private ValueTask DeniedAsync(PartnerIdentity caller, string detail, string? exchangeId, CancellationToken cancellationToken) =>
        refusals.RecordAsync($"{caller.Id} {detail}", new AuditEvent(AuditEventKind.Denied, caller.ToRef(), detail, exchangeId), cancellationToken);

    /// <summary>
    /// Appends to the audit log; when it cannot, the call ends UNAVAILABLE (a retry with the same
    /// idempotency key finds what was stored) rather than with an unexplained UNKNOWN.
    /// </summary>
    private async Task<Receipt?> AuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            return await audit.RecordAsync(auditEvent, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            throw new StoreUnavailableException(ex.Message + " Retry; a repeated Submit with the same idempotency key returns the stored exchange.", ex);
        }
    }
}

internal static partial class ExchangeLog
{
    [LoggerMessage(400, LogLevel.Information, "Accepted {ExchangeId}: {Kind} {Priority} from {Submitter} to {Recipient} (case {CaseNumber}), due {Deadline:u}")]
    public static partial void Accepted(ILogger logger, string exchangeId, string kind, Priority priority, string submitter, string recipient, string caseNumber, DateTimeOffset deadline);

    [LoggerMessage(401, LogLevel.Information, "{Partner} subscribed to its inbox (window {Window}, {Pending} waiting)")]
    public static partial void Subscribed(ILogger logger, string partner, int window, int pending);

    [LoggerMessage(402, LogLevel.Information, "{Partner} inbox stream ended; unacknowledged items return to its queue")]
    public static partial void Unsubscribed(ILogger logger, string partner);

    [LoggerMessage(404, LogLevel.Warning, "Delivery of {ExchangeId} to {Partner} was sent but not recorded; it will be delivered again")]
    public static partial void DeliveryNotRecorded(ILogger logger, string exchangeId, string partner, Exception exception);

    [LoggerMessage(405, LogLevel.Error, "Delivery of {ExchangeId} could not be written to the audit log")]
    public static partial void DeliveryNotAudited(ILogger logger, string exchangeId, Exception exception);

    [LoggerMessage(403, LogLevel.Information, "Onward transfer {Index} of {ExchangeId} not followed (bank '{BankId}': credit, below threshold, or not a registered bank)")]
    public static partial void NotFollowed(ILogger logger, string exchangeId, int index, string bankId);
}
