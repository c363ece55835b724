namespace AntiFraud.Exchange.Protocol.Wire.Client;

/// <summary>Per-call settings: metadata, deadline, cancellation.</summary>
public readonly record struct CallOptions(
    Metadata? Headers = null,
    DateTimeOffset? Deadline = null,
    CancellationToken CancellationToken = default)
{
    public CallOptions WithDeadline(DateTimeOffset deadline) => this with { Deadline = deadline };

    public CallOptions WithTimeout(TimeSpan timeout, TimeProvider? timeProvider = null)
        => this with { Deadline = (timeProvider ?? TimeProvider.System).GetUtcNow() + timeout };
}
