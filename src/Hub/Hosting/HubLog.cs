namespace AntiFraud.Exchange.Hub.Hosting;

internal static partial class HubLog
{
    [LoggerMessage(100, LogLevel.Information, "AntiFraud.Exchange hub listening on https://{Endpoint} (HTTP/2, TLS, client certificates required)")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(101, LogLevel.Information, "Hub stopping: new streams refused, in-flight calls finishing (up to {Seconds} s)")]
    public static partial void Stopping(ILogger logger, int seconds);

    [LoggerMessage(102, LogLevel.Information, "Server certificate {Subject} (expires {NotAfter:u}); client CA {CaSubject}")]
    public static partial void Certificates(ILogger logger, string subject, DateTime notAfter, string caSubject);

    [LoggerMessage(103, LogLevel.Information, "{What} reloaded from {Path}")]
    public static partial void Reloaded(ILogger logger, string what, string path);

    [LoggerMessage(104, LogLevel.Error, "{What} {Path} could not be reloaded; the previous content stays in force: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string what, string path, string reason);

    [LoggerMessage(105, LogLevel.Error, "Revocation list {Path} is stale (next update was due {NextUpdate:u}); publish a new one: {Consequence}")]
    public static partial void CrlStale(ILogger logger, string path, DateTimeOffset nextUpdate, string consequence);

    [LoggerMessage(107, LogLevel.Warning, "TLS handshake from {Remote} refused: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(108, LogLevel.Warning, "Hub:Store:Provider is 'memory': NOTHING SURVIVES A RESTART. Use it for benchmarks and tests only.")]
    public static partial void VolatileStore(ILogger logger);

    [LoggerMessage(109, LogLevel.Error, "Background work {Service} failed ({Count} failures since start); it carries on and tries again")]
    public static partial void BackgroundFault(ILogger logger, string service, long count, Exception exception);

    [LoggerMessage(110, LogLevel.Error, "{What} {Path} was not taken; the previous content stays in force: {Reason}")]
    public static partial void ReloadRefused(ILogger logger, string what, string path, string reason);

    [LoggerMessage(111, LogLevel.Warning, "DEVELOPMENT CERTIFICATES AND KEYS in use (certs-dev/ under {Root}): their private keys are public. Never send real data to this hub. A Production environment refuses to start with them.")]
    public static partial void DevelopmentMaterial(ILogger logger, string root);
}
