using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Hosting;
using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Audit;

/// <summary>One thing worth recording: who did what to which exchange, with the body it concerned.</summary>
public sealed record AuditEvent(
    AuditEventKind Kind,
    PartnerRef? Actor,
    string Detail,
    string? ExchangeId = null,
    string? CaseNumber = null,
    PartnerRef? Subject = null,
    IMessage? Body = null,
    IReadOnlyList<MaskingDecision>? Masking = null);

/// <summary>Where every access, delivery, answer and refusal goes.</summary>
public interface IAuditSink
{
    /// <summary>Records the event; returns a receipt once it is durable (null from sinks that keep no log).</summary>
    ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken);
}

/// <summary>Writes audit events to the operator log only; stands in until the tamper-evident log is configured.</summary>
internal sealed class LoggingAuditSink(ILogger<LoggingAuditSink> logger) : IAuditSink
{
    public ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        HubLog.Audit(logger, auditEvent.Kind, auditEvent.Actor?.Id ?? "-", auditEvent.ExchangeId ?? "-", auditEvent.Detail);
        return ValueTask.FromResult<Receipt?>(null);
    }
}
