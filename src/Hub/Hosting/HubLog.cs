namespace AntiFraud.Exchange.Hub.Hosting;

internal static partial class HubLog
{
    [LoggerMessage(100, LogLevel.Information,
        "AntiFraud.Exchange hub listening on https://{Endpoint} (HTTP/2, TLS, client certificates required)")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(103, LogLevel.Information,
        "Operations port on {Url}: /healthz, /readyz, /metrics (plain HTTP, no partner calls, no personal data)")]
    public static partial void OpsListening(ILogger logger, string url);

    [LoggerMessage(104, LogLevel.Warning,
        "The operations port {Url} is not on loopback (Hub:Ops:Listen): anyone who reaches it reads the hub's metrics; keep it behind the network's own controls")]
    public static partial void OpsNotLoopback(ILogger logger, string url);

    [LoggerMessage(101, LogLevel.Information, "Hub stopping: new streams refused, in-flight calls finishing (up to {Seconds} s)")]
    public static partial void Stopping(ILogger logger, int seconds);

    [LoggerMessage(102, LogLevel.Information, "Server certificate {Subject} (expires {NotAfter:u}); client CA {CaSubject}")]
    public static partial void Certificates(ILogger logger, string subject, DateTime notAfter, string caSubject);

    [LoggerMessage(107, LogLevel.Warning, "TLS handshake from {Remote} refused: {Reason}")]
    public static partial void HandshakeRefused(ILogger logger, string remote, string reason);

    [LoggerMessage(111, LogLevel.Warning,
        "DEVELOPMENT CERTIFICATES AND KEYS in use (certs-dev/ under {Root}): their private keys are public. Never send real data to this hub. A Production environment refuses to start with them.")]
    public static partial void DevelopmentMaterial(ILogger logger, string root);

    [LoggerMessage(120, LogLevel.Warning, "Store master key rotated: the data keys are now wrapped under {To} (was {From})")]
    public static partial void StoreKeyRotated(ILogger logger, string from, string to);

    [LoggerMessage(121, LogLevel.Error, "Store master key file {Path} refused: {Reason}")]
    public static partial void StoreKeyRefused(ILogger logger, string path, string reason);
}
