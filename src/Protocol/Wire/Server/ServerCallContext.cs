using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>What a handler knows about the call it serves.</summary>
public sealed class ServerCallContext
{
    private readonly HttpServerCall _call;
    private Metadata? _requestHeaders;

    internal ServerCallContext(HttpServerCall call)
    {
        _call = call;
    }

    public IMethod Method => _call.Method;

    /// <summary>The peer's address, "ipv4:1.2.3.4:5678" or "ipv6:[::1]:5678".</summary>
    public string Peer => _call.Peer;

    /// <summary>When the client's grpc-timeout runs out, or null when it sent none.</summary>
    public DateTimeOffset? Deadline => _call.Deadline;

    /// <summary>Cancelled when the client cancels, the deadline passes, or (for streams) the server shuts down.</summary>
    public CancellationToken CancellationToken => _call.CancellationToken;

    /// <summary>The caller's custom metadata; -bin values decoded.</summary>
    public Metadata RequestHeaders => _requestHeaders ??= _call.ReadRequestMetadata();

    /// <summary>Trailers sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers { get; } = new();

    /// <summary>The status to end with when the handler returns normally. OK by default.</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>The client certificate presented in the TLS handshake, if any.</summary>
    public X509Certificate2? ClientCertificate => _call.HttpContext.Connection.ClientCertificate;

    public HttpContext HttpContext => _call.HttpContext;

    /// <summary>Per-call state for filters and handlers, for example the authenticated partner.</summary>
    public IDictionary<object, object?> Items => _call.HttpContext.Items;

    /// <summary>Sends response headers now, before the first message.</summary>
    public Task WriteResponseHeadersAsync(Metadata headers) => _call.WriteResponseHeadersAsync(headers);
}

public delegate Task<TResponse> UnaryServerMethod<in TRequest, TResponse>(TRequest request, ServerCallContext context);

public delegate Task ServerStreamingServerMethod<in TRequest, TResponse>(
    TRequest request, IAsyncStreamWriter<TResponse> responseStream, ServerCallContext context);

public delegate Task<TResponse> ClientStreamingServerMethod<TRequest, TResponse>(
    IAsyncStreamReader<TRequest> requestStream, ServerCallContext context);

public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(
    IAsyncStreamReader<TRequest> requestStream, IAsyncStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>
/// Runs before every handler, for example to authenticate the caller. Throw an <see cref="RpcException"/>
/// to refuse the call.
/// </summary>
public interface IServerCallFilter
{
    ValueTask OnCallAsync(ServerCallContext context);
}
