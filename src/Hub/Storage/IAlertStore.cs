using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>
/// A new signal to store: who raised it under which idempotency key, the keyed hashes of the person it is
/// about (never clear values), and the fusion window. The store finds the newest open alert sharing a
/// key within the window, lets the caller fuse the signal into it (or start a new alert), and commits the
/// alert, the keys and the idempotency record together.
/// </summary>
public sealed record AlertRaiseCommand(
    string Raiser,
    string IdempotencyKey,
    IReadOnlyList<string> FusionKeys,
    DateTimeOffset WindowStart,
    DateTimeOffset Now);

/// <summary>The committed outcome of a Raise: the alert after it, whether the signal joined an existing alert, or whether the idempotency
/// key was used before (then nothing was written).</summary>
public sealed record AlertRaised(AlertView Alert, string SignalId, bool Fused, bool Duplicate);

/// <summary>
/// The durable state of early-warning alerts, beside the exchanges (the same SQLite file, or the same
/// Redis). Alerts are stored whole (an <see cref="AlertView"/> unmasked); a pending flag marks an alert
/// whose latest revision is not yet dispatched, so a restart finishes what a crash interrupted.
/// </summary>
public interface IAlertStore
{
    /// <param name="fuse">Given the open alert to join (null for a new one), returns the alert after the signal and the new signal's
    /// id.</param>
    Task<AlertRaised> RaiseAsync(AlertRaiseCommand command, Func<AlertView?, (AlertView Alert, string SignalId)> fuse,
        CancellationToken cancellationToken);

    Task<AlertView?> GetAsync(string alertId, CancellationToken cancellationToken);

    /// <summary>Reads, lets <paramref name="change"/> decide (null: nothing to do; it may throw a Refusal), writes atomically.</summary>
    Task<AlertView> UpdateAsync(string alertId, Func<AlertView, AlertView?> change, CancellationToken cancellationToken);

    /// <summary>Marks a revision dispatched (a later revision stays pending).</summary>
    Task MarkDispatchedAsync(string alertId, uint revision, CancellationToken cancellationToken);

    /// <summary>Alerts first raised in [from, to), oldest first; with <paramref name="openOnly"/> only those without a final
    /// outcome.</summary>
    Task<IReadOnlyList<AlertView>> ListAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken,
        bool openOnly = false);

    /// <summary>Alerts with a revision not yet dispatched (after a crash between commit and dispatch).</summary>
    Task<IReadOnlyList<AlertView>> ListPendingAsync(CancellationToken cancellationToken);
}
