using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>Serves one method: a path in the dispatcher's table.</summary>
internal abstract class ServerMethodHandler
{
    public abstract IMethod Method { get; }

    public abstract Task HandleAsync(HttpContext httpContext, GrpcServerRuntime runtime);
}

internal sealed class ServerMethodHandler<TRequest, TResponse>(Method<TRequest, TResponse> method) : ServerMethodHandler
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    public override IMethod Method => method;

    public UnaryServerMethod<TRequest, TResponse>? Unary { get; init; }

    public ServerStreamingServerMethod<TRequest, TResponse>? ServerStreaming { get; init; }

    public ClientStreamingServerMethod<TRequest, TResponse>? ClientStreaming { get; init; }

    public DuplexStreamingServerMethod<TRequest, TResponse>? DuplexStreaming { get; init; }

    public override async Task HandleAsync(HttpContext httpContext, GrpcServerRuntime runtime)
    {
        using var call = new HttpServerCall(httpContext, method, runtime);
        if (!call.TryStart())
        {
            return;
        }

        try
        {
            foreach (var filter in runtime.Filters)
            {
                await filter.OnCallAsync(call.Context);
            }

            var token = call.CancellationToken;
            switch (method.Type)
            {
                case MethodType.Unary:
                {
                    var request = await call.ReadSingleMessageAsync(method.RequestParser, token);
                    var response = await Unary!(request, call.Context);
                    await call.WriteMessageAsync(response, flush: false, token);
                    break;
                }

                case MethodType.ServerStreaming:
                {
                    var request = await call.ReadSingleMessageAsync(method.RequestParser, token);
                    await ServerStreaming!(request, new ServerStreamWriter<TResponse>(call), call.Context);
                    break;
                }

                case MethodType.ClientStreaming:
                {
                    var response = await ClientStreaming!(new ServerStreamReader<TRequest>(call, method.RequestParser), call.Context);
                    await call.WriteMessageAsync(response, flush: false, token);
                    break;
                }

                default:
                    await DuplexStreaming!(
                        new ServerStreamReader<TRequest>(call, method.RequestParser),
                        new ServerStreamWriter<TResponse>(call),
                        call.Context);
                    break;
            }

            call.Complete();
        }
        catch (Exception ex)
        {
            call.Fail(ex);
        }
    }
}

internal sealed class ServerStreamReader<T>(HttpServerCall call, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("Call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        _current = await call.ReadMessageAsync(parser, linked?.Token ?? call.CancellationToken);
        return _current is not null;
    }
}

internal sealed class ServerStreamWriter<T>(HttpServerCall call) : IAsyncStreamWriter<T>
    where T : class, IMessage<T>
{
    public Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return call.WriteMessageAsync(message, flush: true,
            cancellationToken.CanBeCanceled ? cancellationToken : call.CancellationToken);
    }
}
