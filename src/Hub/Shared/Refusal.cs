namespace AntiFraud.Exchange.Hub.Shared;

/// <summary>Why the hub refuses a request, in its own words; the service edge maps each to a gRPC status.</summary>
public enum RefusalKind
{
    InvalidArgument,
    PermissionDenied,
    NotFound,
    FailedPrecondition,
    OutOfRange,
    ResourceExhausted,
    Unauthenticated,
}

/// <summary>
/// A refusal the caller can act on: the request, not the hub, is at fault (or not permitted). Thrown by
/// the lifecycle, storage and validation, which know nothing of the transport; the service edge turns it
/// into the matching gRPC status with this message, which names the field and never echoes long values.
/// </summary>
public sealed class Refusal(RefusalKind kind, string message) : Exception(message)
{
    public RefusalKind Kind { get; } = kind;

    public static Refusal InvalidArgument(string message) => new(RefusalKind.InvalidArgument, message);

    public static Refusal PermissionDenied(string message) => new(RefusalKind.PermissionDenied, message);

    public static Refusal NotFound(string message) => new(RefusalKind.NotFound, message);

    public static Refusal FailedPrecondition(string message) => new(RefusalKind.FailedPrecondition, message);

    public static Refusal OutOfRange(string message) => new(RefusalKind.OutOfRange, message);

    public static Refusal ResourceExhausted(string message) => new(RefusalKind.ResourceExhausted, message);

    public static Refusal Unauthenticated(string message) => new(RefusalKind.Unauthenticated, message);
}
