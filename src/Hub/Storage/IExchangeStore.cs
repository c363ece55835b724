using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// The durable state of the exchange. Everything a method returns has been committed: with the
/// embedded store that means written to disk (group commit, fsync) before the caller replies.
/// </summary>
public interface IExchangeStore
{
    /// <summary>Stores a new exchange with its events, unless the submitter already used the idempotency key: then the earlier exchange
    /// comes back with Duplicate set.</summary>
    Task<SubmitOutcome> SubmitAsync(ExchangeRecord record, IReadOnlyList<WatchEvent> events, CancellationToken cancellationToken);

    Task<ExchangeRecord?> GetAsync(string exchangeId, CancellationToken cancellationToken);

    /// <summary>The exchanges of one police centre's case, in submission order.</summary>
    Task<IReadOnlyList<ExchangeRecord>> GetCaseAsync(string submitter, string caseNumber, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the current record, lets <paramref name="change"/> decide (it may throw a Refusal
    /// to refuse), and commits the result atomically with the events. A null change means "nothing to do".
    /// </summary>
    Task<Committed> UpdateAsync(string exchangeId, Func<ExchangeRecord, ExchangeChange?> change, CancellationToken cancellationToken);

    /// <summary>Events of the target after a sequence number, oldest first.</summary>
    Task<IReadOnlyList<WatchEvent>> ReadEventsAsync(WatchTarget target, ulong afterSequence, int max, CancellationToken cancellationToken);

    /// <summary>Exchanges not yet acknowledged, for rebuilding the inbox queues after a restart.</summary>
    Task<IReadOnlyList<PendingDelivery>> ListUnacknowledgedAsync(CancellationToken cancellationToken);

    /// <summary>Exchanges whose deadline or hold still needs watching, for re-arming timers after a restart.</summary>
    Task<IReadOnlyList<ExchangeRecord>> ListOpenAsync(CancellationToken cancellationToken);

    /// <summary>Records an escalation once: false when this level already fired for the exchange (on this or any replica).</summary>
    Task<Committed?> TryEscalateAsync(string exchangeId, EscalationLevel level, Func<ExchangeRecord, ExchangeChange?> change,
        CancellationToken cancellationToken);

    /// <summary>Exchanges addressed to a responder (or all, when null) submitted in a time range, for compliance figures.</summary>
    Task<IReadOnlyList<ExchangeRecord>> ListSubmittedAsync(string? recipient, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken);

    /// <summary>
    /// Cancelled when the store becomes unreachable (a shared store such as Redis): open streams end
    /// UNAVAILABLE so their clients reconnect. The embedded store never loses itself.
    /// </summary>
    CancellationToken Lost => CancellationToken.None;

    /// <summary>Why the store cannot take writes right now (its last commit failed, or Redis is unreachable), or null when it
    /// can.</summary>
    ValueTask<string?> UnwritableReasonAsync(CancellationToken cancellationToken);

    /// <summary>An earlier stop-payment or freeze of this account in the same case, if any (following the money never holds an account
    /// twice).</summary>
    Task<ExchangeRecord?> FindHoldAsync(string submitter, string caseNumber, string bankId, string accountNumber,
        CancellationToken cancellationToken);
}
