using System.Collections.Concurrent;
using System.Diagnostics;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Protocol.Contract;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace AntiFraud.Exchange.Hub.Hosting;

/// <summary>
/// The service edge of every RPC: a request outside the contract's bounds (an undeclared enum value, a
/// Timestamp out of range, an over-long field) is INVALID_ARGUMENT naming the field before any handler
/// runs; a <see cref="Refusal"/> becomes its gRPC status, and a store that cannot take writes becomes
/// UNAVAILABLE. Below this edge, nothing knows the transport. A request that names an exchange (a field exchange_id) puts it
/// in the log scope of everything the call logs, and on the call's trace span.
/// </summary>
internal sealed class HubEdgeInterceptor(ILogger<HubEdgeInterceptor> logger) : Interceptor
{
    private static readonly ConcurrentDictionary<MessageDescriptor, FieldDescriptor?> ExchangeIdFields = new();

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Bound(request);
        using var scope = ExchangeScope(request);
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Map(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request,
        IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Bound(request);
        using var scope = ExchangeScope(request);
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Map(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    /// <summary>Bulk orders stream both ways: each message read is bounded like a unary request.</summary>
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(new BoundedReader<TRequest>(requestStream), responseStream, context);
        }
        catch (Exception ex) when (Map(ex) is { } status)
        {
            throw new RpcException(status);
        }
    }

    private sealed class BoundedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
            {
                return false;
            }

            Bound(inner.Current);
            return true;
        }
    }

    /// <summary>A log scope "ExchangeId" for a request with a non-empty exchange_id field; the id also tags the trace span.</summary>
    private IDisposable? ExchangeScope<TRequest>(TRequest request)
    {
        if (request is not IMessage message
            || ExchangeIdFields.GetOrAdd(message.Descriptor, static d => d.FindFieldByName("exchange_id") is
                { FieldType: FieldType.String, IsRepeated: false } f ? f : null) is not { } field
            || field.Accessor.GetValue(message) is not string { Length: > 0 } id)
        {
            return null;
        }

        Activity.Current?.SetTag("afx.exchange_id", id);
        return ExchangeIdScope(logger, id);
    }

    private static readonly Func<ILogger, string, IDisposable?> ExchangeIdScope = LoggerMessage.DefineScope<string>("ExchangeId:{ExchangeId}");

    private static void Bound<TRequest>(TRequest request)
    {
        if (request is IMessage message && ContractBounds.Check(message) is { } violation)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, violation + "."));
        }
    }

    /// <summary>The status a domain failure maps to, or null for anything else (which stays UNKNOWN, logged).</summary>
    internal static Status? Map(Exception exception) => exception switch
    {
        Refusal refusal => new Status(refusal.Kind switch
        {
            RefusalKind.InvalidArgument => StatusCode.InvalidArgument,
            RefusalKind.PermissionDenied => StatusCode.PermissionDenied,
            RefusalKind.NotFound => StatusCode.NotFound,
            RefusalKind.FailedPrecondition => StatusCode.FailedPrecondition,
            RefusalKind.OutOfRange => StatusCode.OutOfRange,
            RefusalKind.ResourceExhausted => StatusCode.ResourceExhausted,
            _ => StatusCode.Unauthenticated,
        }, refusal.Message),
        StoreUnavailableException unavailable => new Status(StatusCode.Unavailable, unavailable.Message),
        _ => null,
    };
}
