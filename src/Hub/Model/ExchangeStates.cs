using System.Globalization;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Model;

/// <summary>A held account: the bank and the account number a stop-payment or freeze holds.</summary>
internal readonly record struct HeldAccount(string Bank, string Account);

/// <summary>
/// The one vocabulary for where an exchange stands. The stores build their SQL lists and Redis checks
/// from these predicates, and the deadline tracker and the compliance report use the same predicates, so
/// "open" or "owed to the recipient" means one thing everywhere.
/// </summary>
internal static class ExchangeStates
{
    /// <summary>Ended: answered, rejected or cancelled. Only an answered hold's expiry still matters.</summary>
    public static bool IsTerminal(ExchangeState state) =>
        state is ExchangeState.Answered or ExchangeState.Rejected or ExchangeState.Cancelled;

    /// <summary>Open for an answer: not answered, rejected or cancelled. EXPIRED still takes a (late) answer.</summary>
    public static bool IsOpen(ExchangeState state) => state != ExchangeState.Unspecified && !IsTerminal(state);

    /// <summary>The deadline is still running: submitted, delivered or acknowledged.</summary>
    public static bool IsRunning(ExchangeState state) =>
        state is ExchangeState.Submitted or ExchangeState.Delivered or ExchangeState.Acknowledged;

    /// <summary>A state in which a record is still owed to its recipient, if it was never acknowledged.</summary>
    public static bool IsDeliverable(ExchangeState state) =>
        state is ExchangeState.Submitted or ExchangeState.Delivered or ExchangeState.Expired;

    /// <summary>Owed to the recipient until acknowledged; expired but never acknowledged is still owed (a late answer beats
    /// none).</summary>
    public static bool IsOwedToRecipient(ExchangeRecord record) => record.AcknowledgedAt is null && IsDeliverable(record.State);

    /// <summary>Needs a timer: a deadline still running, or an answered hold that may lapse.</summary>
    public static bool NeedsTimer(ExchangeRecord record) =>
        IsRunning(record.State) || (record.State == ExchangeState.Answered && HoldKey(record) is not null);

    /// <summary>The account a stop-payment or freeze holds; null for every other kind of request.</summary>
    public static HeldAccount? HoldKey(ExchangeRecord record) => record.Request?.KindCase switch
    {
        Request.KindOneofCase.StopPayment => new(record.Request.StopPayment.Account.BankId,
            record.Request.StopPayment.Account.AccountNumber),
        Request.KindOneofCase.Freeze => new(record.Request.Freeze.Account.BankId, record.Request.Freeze.Account.AccountNumber),
        _ => null,
    };

    /// <summary>The states a predicate holds for, as a SQL list of their numbers: "state IN (…)".</summary>
    public static string SqlList(Func<ExchangeState, bool> predicate) =>
        string.Join(", ", Enum.GetValues<ExchangeState>().Where(predicate).Select(s => ((int)s).ToString(CultureInfo.InvariantCulture)));

    /// <summary>When the exchange stopped mattering (for retention): its answer, refusal or cancellation, or for an answered hold, the
    /// hold's lapse; <see cref="long.MaxValue"/> when it has not ended.</summary>
    public static long EndedAtMs(ExchangeRecord record) => IsTerminal(record.State)
        ? new[] { record.AnsweredAt, record.RejectedAt, record.CancelledAt, record.HoldExpiresAt }
            .Where(t => t is not null).Select(t => t.ToDateTimeOffset().ToUnixTimeMilliseconds()).DefaultIfEmpty(long.MaxValue).Max()
        : long.MaxValue;
}
