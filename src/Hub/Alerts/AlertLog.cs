using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Alerts;

internal static partial class AlertLog
{
    [LoggerMessage(700, LogLevel.Information, "Alert {AlertId} {What} by {Raiser}: {Signal}, tier {Tier} ({Reason})")]
    public static partial void Raised(ILogger logger, string alertId, string what, string raiser, string signal, Priority tier, string reason);

    [LoggerMessage(701, LogLevel.Information, "Alert {AlertId} dispatched to {Unit} as {Role}, tier {Tier}, contact by {Deadline:u}")]
    public static partial void Dispatched(ILogger logger, string alertId, string unit, AlertRole role, Priority tier, DateTimeOffset deadline);

    [LoggerMessage(702, LogLevel.Warning, "ESCALATION alert {AlertId}: {Unit} missed its contact deadline; {Parent} takes over (tier {Tier})")]
    public static partial void Escalated(ILogger logger, string alertId, string unit, string parent, Priority tier);

    [LoggerMessage(703, LogLevel.Error, "Alert {AlertId}: {Unit} missed its contact deadline and has no parent unit to escalate to")]
    public static partial void NoParent(ILogger logger, string alertId, string unit);

    [LoggerMessage(704, LogLevel.Error,
        "Alert {AlertId}: no police unit covers division '{Division}' and no city centre is registered: nobody can be told")]
    public static partial void NoUnit(ILogger logger, string alertId, string division);

    [LoggerMessage(705, LogLevel.Information, "Alert {AlertId}: {Unit} reported {Outcome} (hold advice {Advice})")]
    public static partial void Outcome(ILogger logger, string alertId, string unit, AlertOutcomeKind outcome, HoldAdvice advice);

    [LoggerMessage(707, LogLevel.Warning, "Alert {AlertId}: could not mark its dispatch done; the start-up sweep will repeat it")]
    public static partial void MarkFailed(ILogger logger, string alertId, Exception exception);

    [LoggerMessage(706, LogLevel.Information, "Alerts recovered at start: {Pending} dispatches finished, {Escalated} missed escalations made")]
    public static partial void Recovered(ILogger logger, int pending, int escalated);
}
