using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Exchanges;

internal static partial class ExchangeLog
{
    [LoggerMessage(400, LogLevel.Information,
        "Accepted {ExchangeId}: {Kind} {Priority} from {Submitter} to {Recipient} (case {CaseNumber}), due {Deadline:u}")]
    public static partial void Accepted(ILogger logger, string exchangeId, string kind, Priority priority, string submitter,
        string recipient,
        string caseNumber, DateTimeOffset deadline);

    [LoggerMessage(408, LogLevel.Information, "Answered {ExchangeId}: {State} by {Recipient} for {Submitter}")]
    public static partial void Answered(ILogger logger, string exchangeId, ExchangeState state, string recipient, string submitter);

    [LoggerMessage(401, LogLevel.Information, "{Partner} subscribed to its inbox (window {Window}, {Pending} waiting)")]
    public static partial void Subscribed(ILogger logger, string partner, int window, int pending);

    [LoggerMessage(402, LogLevel.Information, "{Partner} inbox stream ended; unacknowledged items return to its queue")]
    public static partial void Unsubscribed(ILogger logger, string partner);

    [LoggerMessage(403, LogLevel.Information,
        "Onward transfer {Index} of {ExchangeId} not followed (bank '{BankId}': credit, below threshold, or not a registered bank)")]
    public static partial void NotFollowed(ILogger logger, string exchangeId, int index, string bankId);

    [LoggerMessage(404, LogLevel.Warning, "Delivery of {ExchangeId} to {Partner} was sent but not recorded; it will be delivered again")]
    public static partial void DeliveryNotRecorded(ILogger logger, string exchangeId, string partner, Exception exception);

    [LoggerMessage(405, LogLevel.Error,
        "Delivery of {ExchangeId} was not written to the audit log before the hub stopped; it is delivered again unless it was acknowledged")]
    public static partial void DeliveryNotAudited(ILogger logger, string exchangeId, Exception? exception);

    [LoggerMessage(406, LogLevel.Warning,
        "Delivery of {ExchangeId} could not be written to the audit log (attempt {Attempt}); retrying in {Wait}")]
    public static partial void DeliveryNotAuditedYet(ILogger logger, string exchangeId, int attempt, TimeSpan wait, Exception exception);

    [LoggerMessage(407, LogLevel.Information, "Delivery of {ExchangeId} written to the audit log at attempt {Attempt}")]
    public static partial void DeliveryAuditedAfterRetry(ILogger logger, string exchangeId, int attempt);
}
