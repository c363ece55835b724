using Microsoft.Extensions.Logging;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

internal static partial class GrpcServerLog
{
    [LoggerMessage(1, LogLevel.Debug, "Call {Method} from {Peer} ended with {StatusCode}: {Detail}")]
    public static partial void CallEnded(ILogger logger, string method, string peer, StatusCode statusCode, string detail);

    [LoggerMessage(2, LogLevel.Error, "Handler for {Method} threw an unexpected exception")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(3, LogLevel.Debug, "Call {Method} from {Peer} was cancelled by the client")]
    public static partial void CallCancelledByClient(ILogger logger, string method, string peer);

    [LoggerMessage(4, LogLevel.Information, "Call to unknown method {Path} from {Peer}")]
    public static partial void UnknownMethod(ILogger logger, string path, string peer);

    [LoggerMessage(5, LogLevel.Information, "Serving {Service} with {MethodCount} methods")]
    public static partial void ServiceBound(ILogger logger, string service, int methodCount);

    [LoggerMessage(6, LogLevel.Warning, "Service {Service} leaves {Method} unbound; calls to it get UNIMPLEMENTED")]
    public static partial void MethodUnbound(ILogger logger, string service, string method);

    [LoggerMessage(7, LogLevel.Debug, "Request to {Path} refused: content-type '{ContentType}' is not application/grpc")]
    public static partial void BadContentType(ILogger logger, string path, string? contentType);

    [LoggerMessage(8, LogLevel.Debug, "Could not send the status of {Method}: the response was already complete")]
    public static partial void StatusNotSent(ILogger logger, string method, Exception exception);
}
