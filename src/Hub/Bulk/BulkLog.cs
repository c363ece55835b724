namespace AntiFraud.Exchange.Hub.Bulk;

internal static partial class BulkLog
{
    [LoggerMessage(850, LogLevel.Information,
        "Bulk order {OrderId} from {Sender} to {Recipient}: {Total} items, {What} ({Received} stored so far)")]
    private static partial void OpenedCore(ILogger logger, string orderId, string sender, string recipient, uint total, string what,
        uint received);

    public static void Opened(ILogger logger, string orderId, string sender, string recipient, uint total, bool resumed, uint received) =>
        OpenedCore(logger, orderId, sender, recipient, total, resumed ? "upload resumed" : "upload started", received);

    [LoggerMessage(851, LogLevel.Information,
        "Bulk order {OrderId}: {Recipient} answered {Recorded} items ({Repeated} repeated); {Answered}/{Total} answered")]
    public static partial void Answered(ILogger logger, string orderId, string recipient, int recorded, int repeated, uint answered, uint total);

    [LoggerMessage(852, LogLevel.Information,
        "Bulk order {OrderId} complete: {Done} done, {NotOurs} not the recipient's customer, {Closed} already closed, {Refused} refused")]
    public static partial void Completed(ILogger logger, string orderId, uint done, uint notOurs, uint closed, uint refused);

    [LoggerMessage(853, LogLevel.Warning, "Bulk order {OrderId} to {Recipient} is past its deadline with {Overdue} of {Total} items unanswered")]
    public static partial void Overdue(ILogger logger, string orderId, string recipient, uint overdue, uint total);
}
