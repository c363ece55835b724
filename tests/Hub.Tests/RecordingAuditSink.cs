using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;

namespace AntiFraud.Exchange.Hub.Tests;

/// <summary>Keeps every audit event in memory so tests can check what reached the audit seam.</summary>
public sealed class RecordingAuditSink : IAuditSink
{
    public ConcurrentQueue<AuditEvent> Events { get; } = new();

    private int _failuresLeft;
    private Func<AuditEvent, bool> _failing = _ => false;

    /// <summary>The next <paramref name="count"/> events that match fail as a broken log would (IOException), and are not kept.</summary>
    public void FailNext(int count, Func<AuditEvent, bool> matching)
    {
        _failing = matching;
        Volatile.Write(ref _failuresLeft, count);
    }

    public int Failed;

    public ValueTask<Receipt?> RecordAsync(AuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (_failing(auditEvent) && Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref Failed);
            return ValueTask.FromException<Receipt?>(new IOException("audit log unwritable (test)"));
        }

        Events.Enqueue(auditEvent);
        return ValueTask.FromResult<Receipt?>(null);
    }
}
