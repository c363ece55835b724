namespace AntiFraud.Exchange.Hub.Storage;

internal static partial class StoreLog
{
    [LoggerMessage(200, LogLevel.Error, "Store commit of {Count} writes failed; none was acknowledged")]
    public static partial void CommitFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(202, LogLevel.Error, "A store write failed and was rolled back alone; the rest of its batch committed")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(201, LogLevel.Information,
        "Embedded store {Path} open: {Exchanges} exchanges, {Events} events, journal {Journal}, synchronous {Synchronous}")]
    public static partial void Opened(ILogger logger, string path, long exchanges, long events, string journal, string synchronous);

    [LoggerMessage(108, LogLevel.Warning,
        "Hub:Store:Provider is 'memory': NOTHING SURVIVES A RESTART. Use it for benchmarks and tests only.")]
    public static partial void VolatileStore(ILogger logger);
}
