namespace AntiFraud.Exchange.Hub.Hosting;

internal static partial class HubLog
{
    [LoggerMessage(100, LogLevel.Information, "AntiFraud.Exchange hub listening on https://{Endpoint} (HTTP/2, TLS, client certificates required)")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(101, LogLevel.Information, "Hub stopping: new streams refused, in-flight calls finishing (up to {Seconds} s)")]
    public static partial void Stopping(ILogger logger, int seconds);

    [LoggerMessage(102, LogLevel.Information, "Server certificate {Subject} (expires {NotAfter:u}); client CA {CaSubject}")]
    public static partial void Certificates(ILogger logger, string subject, DateTime notAfter, string caSubject);
}
