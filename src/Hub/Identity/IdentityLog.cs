namespace AntiFraud.Exchange.Hub.Identity;

internal static partial class IdentityLog
{
    [LoggerMessage(105, LogLevel.Error,
        "Revocation list {Path} is stale (next update was due {NextUpdate:u}); publish a new one: {Consequence}")]
    public static partial void CrlStale(ILogger logger, string path, DateTimeOffset nextUpdate, string consequence);
}
