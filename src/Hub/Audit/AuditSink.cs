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
    IReadOnlyList<MaskingDecision>? Masking = null)
{
    /// <summary>
    /// What the committed body is kept under, so its parties can open the commitment and the retention purge erases it with its
    /// record: by default the exchange; an alert's id for an alert's entries; null, the body is not kept (it can then not be opened).
    /// </summary>
    public string? BodyKeptUnder { get; init; } = ExchangeId;
}

/// <summary>Where every access, delivery, answer and refusal goes.</summary>
public interface IAuditSink
{
    /// <summary>Records the event; returns a receipt once it is durable (null from sinks that keep no log).</summary>
    ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken);
}
