using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// Who may see which exchange (its submitter, its recipient), the audit of reads and refusals, and the
/// masking of what goes back to a submitter. Shared by every flow so that each refuses the same way.
/// </summary>
internal sealed class ExchangeAccess(IExchangeStore store, IAuditSink audit, RefusalAudit refusals, IDeliveryMasker masker)
{
    /// <summary>The exchange, when the caller submitted it.</summary>
    public Task<ExchangeRecord> OwnAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken) =>
        VisibleAsync(caller, exchangeId, r => r.From.Id == caller.Id, "read of an exchange it did not submit", "was not submitted by",
            cancellationToken);

    /// <summary>The exchange, when it is addressed to the caller.</summary>
    public Task<ExchangeRecord> AddressedAsync(PartnerIdentity caller, string exchangeId, CancellationToken cancellationToken) =>
        VisibleAsync(caller, exchangeId, r => r.To.Id == caller.Id, "answer to an exchange not addressed to it", "is not addressed to",
            cancellationToken);

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

    /// <summary>The exchanges of a case the caller opened; an unknown case and another centre's case are refused alike.</summary>
    public async Task<IReadOnlyList<ExchangeRecord>> OwnCaseAsync(PartnerIdentity caller, string caseNumber,
        CancellationToken cancellationToken)
    {
        var records = caseNumber.Length == 0 ? [] : await store.GetCaseAsync(caller.Id, caseNumber, cancellationToken);
        if (records.Count == 0)
        {
            throw Refusal.PermissionDenied($"Case {RequestValidator.Shown(caseNumber)} does not exist or was not opened by '{caller.Id}'.");
        }

        return records;
    }

    /// <summary>What the submitter may see of a record or an event about it, masked for the submitter.</summary>
    public T ForSubmitter<T>(PartnerIdentity caller, T message)
        where T : class, Google.Protobuf.IMessage<T>
    {
        var record = message as ExchangeRecord ?? (message as WatchEvent)?.Snapshot;
        return masker.Mask(message, new MaskingContext(caller, record?.Case?.LegalBasis ?? LegalBasis.Unspecified,
            record?.Request?.KindCase ?? Request.KindOneofCase.None, true)).Message;
    }

    /// <summary>A refused request, audited through the refusal aggregator: a partner repeating it cannot flood the log.</summary>
    public ValueTask DeniedAsync(PartnerIdentity caller, string detail, string? exchangeId, CancellationToken cancellationToken) =>
        refusals.RecordAsync($"{caller.Id} {detail}", new AuditEvent(AuditEventKind.Denied, caller.ToRef(), detail, exchangeId),
            cancellationToken);

    /// <summary>
    /// Appends to the audit log; when it cannot, the call ends UNAVAILABLE (a retry with the same
    /// idempotency key finds what was stored) rather than with an unexplained UNKNOWN.
    /// </summary>
    public async Task<Receipt?> AuditAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        try
        {
            return await audit.RecordAsync(auditEvent, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            throw new StoreUnavailableException(ex.Message
                + " Retry; a repeated Submit with the same idempotency key returns the stored exchange.", ex);
        }
    }

    /// <summary>
    /// Runs a stream until the call ends. When a shared store becomes unreachable the stream ends
    /// UNAVAILABLE, so the client reconnects (to this replica once the store is back, or to another).
    /// </summary>
    public async Task WhileStoreHoldsAsync(Func<CancellationToken, Task> run, CancellationToken cancellationToken)
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
        catch (Exception e) when (e is StoreUnavailableException
            || (e is OperationCanceledException && lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            throw new StoreUnavailableException("The hub lost its shared store; reconnect shortly (or to another replica).", e);
        }
    }
}
