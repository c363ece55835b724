using AntiFraud.Exchange.Contract.V1;
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
