namespace AntiFraud.Exchange.Hub.Audit;

internal static partial class AuditLogLog
{
    [LoggerMessage(500, LogLevel.Information, "Audit log {Path} open: {Size} entries, tree verified")]
    public static partial void Opened(ILogger logger, string path, long size);

    [LoggerMessage(501, LogLevel.Warning,
        "Audit log {Path}: a torn final write of {Bytes} bytes was cut after entry {Size}; it was never receipted")]
    public static partial void TornTail(ILogger logger, string path, long bytes, long size);

    [LoggerMessage(502, LogLevel.Error, "Audit log append of {Count} entries failed; none was acknowledged")]
    public static partial void AppendFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(503, LogLevel.Warning,
        "Audit log {Path}: sealed {Count} complete entries the history did not cover yet (written before a crash, or a log from an earlier version)")]
    public static partial void Sealed(ILogger logger, string path, long count);

    [LoggerMessage(504, LogLevel.Error, "The audit checkpoint could not be written to {Path}")]
    public static partial void CheckpointNotWritten(ILogger logger, string path, Exception exception);

    [LoggerMessage(505, LogLevel.Error,
        "The committed bodies of {Count} audit entries from entry {First} could not be stored: those entries are durable and receipted, but their commitments cannot be opened")]
    public static partial void BodiesNotKept(ILogger logger, int count, long first, Exception exception);
}
