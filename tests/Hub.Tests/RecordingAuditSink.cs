using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;

namespace AntiFraud.Exchange.Hub.Tests;

/// <summary>Keeps every audit event in memory so tests can check what reached the audit seam.</summary>
public sealed class RecordingAuditSink : IAuditSink
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    public ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(auditEvent);
        return ValueTask.FromResult<Receipt?>(null);
    }
}
