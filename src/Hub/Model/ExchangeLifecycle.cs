using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf.WellKnownTypes;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Model;

/// <summary>
/// The life of an exchange: SUBMITTED → DELIVERED → ACKNOWLEDGED → ANSWERED, or REJECTED, EXPIRED,
/// CANCELLED. Each change stamps its time and yields the watch event it causes. Pure functions of the
/// current record and the clock, so every store applies them the same way inside its transaction.
/// </summary>
internal static class ExchangeLifecycle
{
    public static WatchEvent Event(ExchangeRecord record, DateTimeOffset at, Transition? transition = null, Escalation? escalation = null)
    {
        var e = new WatchEvent
        {
            At = Timestamp.FromDateTimeOffset(at),
            ExchangeId = record.ExchangeId,
            CaseNumber = record.Case.CaseNumber,
            Snapshot = record.Clone(),
        };
        if (transition is not null)
        {
            e.Transition = transition;
        }
        else if (escalation is not null)
        {
            e.Escalation = escalation;
        }

        return e;
    }

    public static ExchangeChange Submitted(ExchangeRecord record, DateTimeOffset now) =>
        new(record, [Event(record, now, new Transition { From = ExchangeState.Unspecified, To = ExchangeState.Submitted })]);

    public static ExchangeChange? Delivered(ExchangeRecord current, DateTimeOffset now)
    {
        if (ExchangeStates.IsTerminal(current.State))
        {
            return null;
        }

        var next = current.Clone();
        next.DeliveryAttempts++;
        if (current.State != ExchangeState.Submitted)
        {
            return new ExchangeChange(next, []);
        }

        next.State = ExchangeState.Delivered;
        next.DeliveredAt = Timestamp.FromDateTimeOffset(now);
        return Changed(current, next, now, null);
    }

    public static ExchangeChange? Acknowledged(ExchangeRecord current, DateTimeOffset now)
    {
        if (current.AcknowledgedAt is not null || ExchangeStates.IsTerminal(current.State))
        {
            return null;
        }

        var next = current.Clone();
        next.AcknowledgedAt = Timestamp.FromDateTimeOffset(now);
        next.DeliveredAt ??= next.AcknowledgedAt;
        if (current.State is ExchangeState.Submitted or ExchangeState.Delivered)
        {
            next.State = ExchangeState.Acknowledged;
            return Changed(current, next, now, null);
        }

        // Acknowledged after the deadline passed: stamp the time, stay EXPIRED.
        return new ExchangeChange(next, []);
    }

    public static ExchangeChange? Answered(ExchangeRecord current, Result result, DateTimeOffset now, TimeSpan holdPeriod)
    {
        if (current.State == ExchangeState.Answered && current.Result.Equals(result))
        {
            return null;
        }

        if (ExchangeStates.IsTerminal(current.State))
        {
            throw Refusal.FailedPrecondition(
                $"Exchange '{current.ExchangeId}' is already {Name(current.State)}; it takes no further answer.");
        }

        var next = current.Clone();
        var at = Timestamp.FromDateTimeOffset(now);
        next.State = ExchangeState.Answered;
        next.Result = result;
        next.AnsweredAt = at;
        next.AcknowledgedAt ??= at;
        next.DeliveredAt ??= at;
        if (result.KindCase == Result.KindOneofCase.StopPayment
            && result.StopPayment.Status is HoldStatus.Executed or HoldStatus.Partial)
        {
            var period = current.Request.StopPayment.HoldPeriod?.ToTimeSpan() is { } p && p > TimeSpan.Zero ? p : holdPeriod;
            var executed = result.StopPayment.ExecutedAt?.ToDateTimeOffset() ?? now;
            next.HoldExpiresAt = result.StopPayment.HoldExpiresAt ?? Timestamp.FromDateTimeOffset(executed + period);
        }

        return Changed(current, next, now, current.State == ExchangeState.Expired ? "answered after the deadline" : null);
    }

    /// <summary>
    /// A bulk order's results moved on: the record carries the new figures and watchers get them. With <paramref name="final"/> (every
    /// item has its result) the order is ANSWERED too. Nothing changes once it is answered, refused or cancelled.
    /// </summary>
    public static ExchangeChange? BulkProgressed(ExchangeRecord current, BulkProgress progress, Result? final, DateTimeOffset now,
        TimeSpan holdPeriod)
    {
        if (current.State is ExchangeState.Answered or ExchangeState.Rejected or ExchangeState.Cancelled)
        {
            return null;
        }

        var next = current.Clone();
        next.BulkProgress = progress;
        var moved = Event(next, now);
        moved.BulkProgress = progress.Clone();
        if (final is null)
        {
            return new ExchangeChange(next, [moved]);
        }

        var answered = Answered(next, final, now, holdPeriod)!;
        return new ExchangeChange(answered.Updated, [moved, .. answered.Events]);
    }

    public static ExchangeChange? Rejected(ExchangeRecord current, string reason, DateTimeOffset now) =>
        Close(current, ExchangeState.Rejected, reason, now, "rejected", (r, at) => r.RejectedAt = at);

    public static ExchangeChange? Cancelled(ExchangeRecord current, string reason, DateTimeOffset now) =>
        Close(current, ExchangeState.Cancelled, reason, now, "cancelled", (r, at) => r.CancelledAt = at);

    /// <summary>Ends an open exchange without an answer; repeating the same end is a no-op.</summary>
    private static ExchangeChange? Close(ExchangeRecord current, ExchangeState to, string reason, DateTimeOffset now, string verb,
        Action<ExchangeRecord, Timestamp> stamp)
    {
        if (current.State == to && (to == ExchangeState.Cancelled || current.StateReason == reason))
        {
            return null;
        }

        if (ExchangeStates.IsTerminal(current.State))
        {
            throw Refusal.FailedPrecondition(
                $"Exchange '{current.ExchangeId}' is already {Name(current.State)}; it cannot be {verb}.");
        }

        var next = current.Clone();
        next.State = to;
        stamp(next, Timestamp.FromDateTimeOffset(now));
        next.StateReason = reason;
        return Changed(current, next, now, reason);
    }

    /// <summary>The deadline passed unanswered: EXPIRED, with a DEADLINE_PASSED escalation.</summary>
    public static ExchangeChange? Expired(ExchangeRecord current, DateTimeOffset now)
    {
        if (current.State is not (ExchangeState.Submitted or ExchangeState.Delivered or ExchangeState.Acknowledged))
        {
            return null;
        }

        var next = current.Clone();
        next.State = ExchangeState.Expired;
        next.ExpiredAt = Timestamp.FromDateTimeOffset(now);
        next.StateReason = "deadline passed without an answer";
        var transition = Event(next, now, new Transition { From = current.State, To = ExchangeState.Expired, Reason = next.StateReason });
        var escalation = Event(next, now, escalation: Escalate(next, EscalationLevel.DeadlinePassed, now, current.State));
        return new ExchangeChange(next, [escalation, transition]);
    }

    /// <summary>An escalation that changes nothing but tells the submitter (deadline near, hold expiring).</summary>
    public static ExchangeChange? Warn(ExchangeRecord current, EscalationLevel level, DateTimeOffset now)
    {
        if (level == EscalationLevel.DeadlineApproaching
            && current.State is not (ExchangeState.Submitted or ExchangeState.Delivered or ExchangeState.Acknowledged))
        {
            return null;
        }

        return new ExchangeChange(current, [Event(current, now, escalation: Escalate(current, level, now, current.State))]);
    }

    private static Escalation Escalate(ExchangeRecord record, EscalationLevel level, DateTimeOffset now, ExchangeState state)
    {
        var due = level == EscalationLevel.HoldExpiring ? record.HoldExpiresAt : record.Deadline;
        return new Escalation
        {
            Level = level,
            Deadline = due,
            Remaining = Duration.FromTimeSpan(due.ToDateTimeOffset() - now),
            State = state,
        };
    }

    private static ExchangeChange Changed(ExchangeRecord from, ExchangeRecord to, DateTimeOffset now, string? reason) =>
        new(to, [Event(to, now, new Transition { From = from.State, To = to.State, Reason = reason ?? string.Empty })]);

    public static string Name(ExchangeState state) => state.ToString().ToUpperInvariant();
}
