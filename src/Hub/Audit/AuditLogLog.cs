namespace AntiFraud.Exchange.Hub.Audit;

internal static partial class AuditLogLog
{
    [LoggerMessage(500, LogLevel.Information, "Audit log {Path} open: {Size} entries, tree verified ({How})")]
    public static partial void Opened(ILogger logger, string path, long size, string how);

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

    [LoggerMessage(506, LogLevel.Warning,
        "Audit log {Path}: the saved tree of its first {Size} entries does not lead to the log as it is ({Problem}); reading the whole log instead")]
    public static partial void QuickOpenFailed(ILogger logger, string path, long size, string problem);

    [LoggerMessage(507, LogLevel.Information, "Audit log {Path}: {Entries} entries read so far")]
    public static partial void Reading(ILogger logger, string path, long entries);

    [LoggerMessage(508, LogLevel.Information,
        "Audit log {Path}: the background check of the {Size} entries opened from the saved tree found them intact ({Seconds:F1} s)")]
    public static partial void TreeChecked(ILogger logger, string path, long size, double seconds);

    [LoggerMessage(509, LogLevel.Critical,
        "Audit log {Path} was altered after it was receipted: {Damage}. The hub reports itself unhealthy; restore the log from a copy "
        + "(afx-hub restore) and locate the damage offline with `afx audit verify-segment`")]
    public static partial void Altered(ILogger logger, string path, string damage);

    [LoggerMessage(510, LogLevel.Warning, "Audit log {Path}: the tree files could not be saved; the next open reads the log from their last saved state")]
    public static partial void TreeNotSaved(ILogger logger, string path, Exception exception);

    [LoggerMessage(511, LogLevel.Warning, "Audit log {Path}: the tree files could not be written; the batch is durable and receipted, and its hashes are written with the next batch")]
    public static partial void TreeNotWritten(ILogger logger, string path, Exception exception);
}
