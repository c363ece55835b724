using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Adapters.Bridge;

internal static partial class BridgeLog
{
    [LoggerMessage(1, LogLevel.Information, "Bridge for {PartnerId} started: hub {Hub}, folder {Folder}")]
    public static partial void Started(ILogger logger, string partnerId, string hub, string folder);

    [LoggerMessage(2, LogLevel.Information, "Subscribed to the inbox of {PartnerId}")]
    public static partial void Subscribed(ILogger logger, string partnerId);

    [LoggerMessage(3, LogLevel.Warning, "Hub unavailable ({Reason}); retrying in {Delay}")]
    public static partial void HubUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Information, "Wrote {File} for exchange {ExchangeId} ({Format})")]
    public static partial void Wrote(ILogger logger, string file, string exchangeId, string format);

    [LoggerMessage(5, LogLevel.Information, "Exchange {ExchangeId} was already written to the outbox; acknowledging again")]
    public static partial void AlreadyWritten(ILogger logger, string exchangeId);

    [LoggerMessage(6, LogLevel.Error, "Exchange {ExchangeId} cannot be written as {Format}: {Problem}; kept as dead letter {DeadLetter}")]
    public static partial void OutboundFailed(ILogger logger, string exchangeId, string format, string problem, string deadLetter);

    [LoggerMessage(7, LogLevel.Information, "Answered {ExchangeId} from {File}: {State}")]
    public static partial void Answered(ILogger logger, string exchangeId, string file, string state);

    [LoggerMessage(8, LogLevel.Error, "Answer file {File} failed: {Problem}; kept as dead letter {DeadLetter}")]
    public static partial void AnswerFailed(ILogger logger, string file, string problem, string deadLetter);

    [LoggerMessage(9, LogLevel.Information, "Archived {File} ({Count} items)")]
    public static partial void Archived(ILogger logger, string file, int count);

    [LoggerMessage(10, LogLevel.Warning,
        "Recovered after a restart: {Published} staged files published, {Dropped} unfinished files dropped")]
    public static partial void Recovered(ILogger logger, int published, int dropped);

    [LoggerMessage(11, LogLevel.Error, "Unexpected failure in the {Pump} loop; retrying in {Delay}")]
    public static partial void Unexpected(ILogger logger, Exception exception, string pump, TimeSpan delay);

    [LoggerMessage(12, LogLevel.Critical,
        "The hub refused this bridge's identity ({Reason}); check the partner id and its certificate. The bridge stops")]
    public static partial void IdentityRefused(ILogger logger, string reason);

    [LoggerMessage(13, LogLevel.Information, "Submitted {ExchangeId} from {File}{Again}")]
    private static partial void Submitted(ILogger logger, string exchangeId, string file, string again);

    public static void Submitted(ILogger logger, string exchangeId, string file, bool duplicate) =>
        Submitted(logger, exchangeId, file, duplicate ? " (already submitted: the same exchange)" : string.Empty);

    [LoggerMessage(14, LogLevel.Error, "Request file {File} failed: {Problem}; kept as dead letter {DeadLetter}")]
    public static partial void SubmissionFailed(ILogger logger, string file, string problem, string deadLetter);

    [LoggerMessage(15, LogLevel.Information, "Bridge for police unit {PartnerId}: submitting request files from {Folder}")]
    public static partial void PoliceRole(ILogger logger, string partnerId, string folder);

    [LoggerMessage(16, LogLevel.Information, "Raised {AlertId} from {File}{Again}: tier {Tier}")]
    public static partial void Raised(ILogger logger, string alertId, string file, string again, Contract.V1.Priority tier);

    [LoggerMessage(17, LogLevel.Information, "Bulk order {OrderId}: results from {File} sent; {Answered}/{Total} items answered")]
    public static partial void BulkAnswered(ILogger logger, string orderId, string file, uint answered, uint total);

    [LoggerMessage(18, LogLevel.Information, "Bridge metrics on http://{Endpoint}/metrics")]
    public static partial void MetricsListening(ILogger logger, string endpoint);

    [LoggerMessage(19, LogLevel.Error, "Bridge metrics could not listen on {Endpoint}: {Reason}; the bridge carries on without them")]
    public static partial void MetricsFailed(ILogger logger, string endpoint, string reason);
}
