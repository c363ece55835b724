using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Delivery;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// The police side: submit (with renewals and releases that name an earlier exchange), read back an
/// exchange or a case, and cancel. Each is durable before it is acknowledged, and audited.
/// </summary>
internal sealed class Submissions(
    IExchangeStore store,
    ExchangeIntake intake,
    ExchangeAccess access,
    InboxBroker broker,
    EventBus bus,
    DeadlinePolicy policy,
    PartnerRegistry registry,
    PartnerCertificates certificates,
    IRetentionStore retention,
    TimeProvider time)
{
    public async Task<SubmitResponse> SubmitAsync(PartnerIdentity caller, SubmitRequest request, CancellationToken cancellationToken)
    {
        RequestValidator.Require(request.Request?.KindCase != Request.KindOneofCase.BulkOrder, "request.bulk_order",
            "bulk orders are sent in chunks with BulkOrders/Send (afx bulk send), not with Exchange/Submit");
        RequestValidator.Validate(request, registry, policy.Current.Limits, time.GetUtcNow());
        await RequireReachableAsync(caller, request.Recipient.Id, cancellationToken);
        await ValidateReferencesAsync(caller, request, cancellationToken);
        var outcome = await intake.AcceptAsync(caller, request, parent: null, cancellationToken);
        return await AuditedAsync(caller, request, outcome, cancellationToken);
    }

    /// <summary>A recipient whose certificates are all revoked gets nothing: queued, a request would wait for a partner that can no
    /// longer collect it, while its deadline ran.</summary>
    public async Task RequireReachableAsync(PartnerIdentity caller, string recipient, CancellationToken cancellationToken)
    {
        if (certificates.RevokedReason(recipient) is { } revoked)
        {
            await access.DeniedAsync(caller, $"submission to '{recipient}' refused: {revoked}", null, cancellationToken);
            throw Refusal.FailedPrecondition($"recipient.id: '{recipient}' cannot receive requests: {revoked}; "
                + "nothing is delivered to it until it connects with a new certificate");
        }
    }

    /// <summary>The submission's audit entry (none for a repeated idempotency key) and the reply.</summary>
    public async Task<SubmitResponse> AuditedAsync(PartnerIdentity caller, SubmitRequest request, SubmitOutcome outcome,
        CancellationToken cancellationToken)
    {
        var record = outcome.Record;
        // The deadline goes into the entry, so lateness can be shown from the log alone.
        var receipt = outcome.Duplicate ? null : await access.AuditAsync(new AuditEvent(AuditEventKind.Submitted, caller.ToRef(),
            $"{RequestValidator.KindName(record.Request.KindCase)}; deadline {record.Deadline.ToDateTimeOffset():O}"
            + (record.Case.ApprovingOfficer.Length == 0 ? "; no approving officer yet (emergency)" : string.Empty),
            record.ExchangeId, record.Case.CaseNumber, record.To, request), cancellationToken);
        return new SubmitResponse
        {
            ExchangeId = record.ExchangeId,
            Deadline = record.Deadline,
            State = record.State,
            Duplicate = outcome.Duplicate,
            Receipt = receipt,
        };
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
                    Request.KindOneofCase.StopPayment, request.Recipient.Id, r.StopPayment.Account.AccountNumber, "stop-payment",
                    cancellationToken);
                await ValidateRenewalCountAsync(previous, cancellationToken);
                break;
            case Request.KindOneofCase.FreezeRelease:
                await ReferencedAsync(caller, r.FreezeRelease.FreezeExchangeId, "request.freeze_release.freeze_exchange_id",
                    Request.KindOneofCase.Freeze, request.Recipient.Id, r.FreezeRelease.Account.AccountNumber, "freeze", cancellationToken);
                break;
            case Request.KindOneofCase.FundReturn:
                var hold = await ReferencedAsync(caller, r.FundReturn.HoldExchangeId, "request.fund_return.hold_exchange_id",
                    [Request.KindOneofCase.StopPayment, Request.KindOneofCase.Freeze], request.Recipient.Id,
                    r.FundReturn.Account.AccountNumber, "stop-payment or freeze", cancellationToken);
                await ValidateReturnableAsync(caller, hold, r.FundReturn.Amount, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// A return pays out of what the hold still has: its answer held money (executed or partial), and the amount is at most what
    /// it held less what earlier returns of it paid or may still pay (answered returns count what they paid, open ones what they
    /// ask), so two return orders can never pay the same money twice.
    /// </summary>
    private async Task ValidateReturnableAsync(PartnerIdentity caller, ExchangeRecord hold, Money amount, CancellationToken cancellationToken)
    {
        const string field = "request.fund_return.amount";
        var held = CaseMoneyView.Held(hold);
        if (held is null)
        {
            var answer = CaseMoneyView.HoldOf(hold) is { } result ? $", answered {result.Status}" : string.Empty;
            throw Refusal.FailedPrecondition($"request.fund_return.hold_exchange_id: the {RequestValidator.KindName(hold.Request.KindCase)} "
                + $"'{hold.ExchangeId}' holds no money (state {hold.State}{answer}): only an answered stop-payment or freeze that held "
                + "money can be returned from.");
        }

        if (amount.Currency != held.Currency)
        {
            throw Refusal.InvalidArgument($"{field}.currency: is {amount.Currency}, but the hold is in {held.Currency}.");
        }

        var committed = CaseMoneyView.CommittedReturns(await store.GetCaseAsync(caller.Id, hold.Case.CaseNumber, cancellationToken),
            hold.ExchangeId);
        var left = held.MinorUnits - committed;
        if (amount.MinorUnits > left)
        {
            throw Refusal.FailedPrecondition($"{field}.minor_units: {amount.MinorUnits} is more than the hold '{hold.ExchangeId}' still has: "
                + $"{held.MinorUnits} held, {committed} returned or being returned, {Math.Max(left, 0)} left.");
        }
    }

    private Task<ExchangeRecord> ReferencedAsync(PartnerIdentity caller, string id, string field, Request.KindOneofCase kind,
        string bank, string account, string kindName, CancellationToken cancellationToken) =>
        ReferencedAsync(caller, id, field, [kind], bank, account, kindName, cancellationToken);

    private async Task<ExchangeRecord> ReferencedAsync(PartnerIdentity caller, string id, string field, Request.KindOneofCase[] kinds,
        string bank, string account, string kindName, CancellationToken cancellationToken)
    {
        var referenced = ExchangeIds.IsWellFormed(id) ? await store.GetAsync(id, cancellationToken) : null;
        if (referenced is null || referenced.From.Id != caller.Id)
        {
            await access.DeniedAsync(caller, $"{field} names an exchange it did not submit", ExchangeIds.IsWellFormed(id) ? id : null,
                cancellationToken);
            throw Refusal.PermissionDenied($"{field}: {RequestValidator.Shown(id)} is not a {kindName} submitted by '{caller.Id}'.");
        }

        if (!kinds.Contains(referenced.Request.KindCase))
        {
            throw Refusal.InvalidArgument($"{field}: '{id}' is a {RequestValidator.KindName(referenced.Request.KindCase)}, not a {kindName}.");
        }

        if (referenced.To.Id != bank)
        {
            throw Refusal.InvalidArgument(
                $"{field}: the {kindName} '{id}' went to '{referenced.To.Id}', but this request is addressed to '{bank}'.");
        }

        if (ExchangeStates.HoldKey(referenced)?.Account != account)
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
            throw Refusal.FailedPrecondition($"request.stop_payment.renews_exchange_id: the hold was already renewed {renewals} times; "
                + $"at most {max} renewals are allowed. Use a freeze.");
        }
    }

    public async Task<ExchangeRecord> GetAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken)
    {
        var record = await access.OwnAsync(caller, exchangeId, cancellationToken);
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Exchange/Get", record.ExchangeId,
            record.Case.CaseNumber), cancellationToken);
        return access.ForSubmitter(caller, record);
    }

    public async Task<CaseView> GetCaseAsync(PartnerIdentity caller, string caseNumber, CancellationToken cancellationToken)
    {
        if (caseNumber.Length == 0)
        {
            throw Refusal.InvalidArgument("case_number: is required.");
        }

        var records = await access.OwnCaseAsync(caller, caseNumber, cancellationToken);
        await access.AuditAsync(new AuditEvent(AuditEventKind.Accessed, caller.ToRef(), "Exchange/GetCase", null, caseNumber),
            cancellationToken);
        var view = new CaseView { CaseNumber = caseNumber };
        var shown = records.Select(r => access.ForSubmitter(caller, r)).ToList();
        view.Exchanges.AddRange(shown);
        // From what the caller may see: amounts are never masked, the trail's accounts are as the caller's masking shows them.
        view.Money = CaseMoneyView.Of(shown, registry);
        if (await retention.GetLegalHoldAsync(caller.Id, caseNumber, cancellationToken) is { } hold)
        {
            view.LegalHold = access.ForSubmitter(caller, hold);
        }

        return view;
    }

    public async Task<ExchangeRecord> CancelAsync(PartnerIdentity caller, CancelExchangeRequest request,
        CancellationToken cancellationToken)
    {
        var record = await access.OwnAsync(caller, request.ExchangeId, cancellationToken);
        var reason = request.Reason.Length > 0 ? request.Reason : "withdrawn by the submitter";
        var committed = await store.UpdateAsync(record.ExchangeId, r => ExchangeLifecycle.Cancelled(r, reason, time.GetUtcNow()),
            cancellationToken);
        broker.Complete(committed.Record.To.Id, committed.Record.ExchangeId);
        bus.Publish(caller.Id, committed.Events);
        // The reason is free text: only its salted commitment enters the log, never the words.
        await access.AuditAsync(new AuditEvent(AuditEventKind.Cancelled, caller.ToRef(), "cancelled by the submitter", record.ExchangeId,
            record.Case.CaseNumber, record.To, request), cancellationToken);
        return access.ForSubmitter(caller, committed.Record);
    }
}
