namespace AntiFraud.Exchange.Hub.Shared;

internal static partial class SharedLog
{
    [LoggerMessage(103, LogLevel.Information, "{What} reloaded from {Path}")]
    public static partial void Reloaded(ILogger logger, string what, string path);

    [LoggerMessage(104, LogLevel.Error, "{What} {Path} could not be reloaded; the previous content stays in force: {Reason}")]
    public static partial void ReloadFailed(ILogger logger, string what, string path, string reason);

    [LoggerMessage(110, LogLevel.Error, "{What} {Path} was not taken; the previous content stays in force: {Reason}")]
    public static partial void ReloadRefused(ILogger logger, string what, string path, string reason);

    [LoggerMessage(109, LogLevel.Error, "Background work {Service} failed ({Count} failures since start); it carries on and tries again")]
    public static partial void BackgroundFault(ILogger logger, string service, long count, Exception exception);
}
