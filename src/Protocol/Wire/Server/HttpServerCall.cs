using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AntiFraud.Exchange.Protocol.Wire.Server;

/// <summary>One gRPC call on one HTTP/2 stream: reads framed requests, writes framed responses and the status.</summary>
internal sealed class HttpServerCall : IDisposable
{
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly GrpcServerRuntime _runtime;
    private CancellationTokenSource? _cts;
    private ITimer? _deadlineTimer;
    private volatile bool _deadlineExceeded;
    private bool _responseStarted;
    private string? _requestEncoding;
    private int _writing;

    public HttpServerCall(HttpContext httpContext, IMethod method, GrpcServerRuntime runtime)
    {
        HttpContext = httpContext;
        Method = method;
        _runtime = runtime;
        Context = new ServerCallContext(this);
    }

    public HttpContext HttpContext { get; }

    public IMethod Method { get; }

    public ServerCallContext Context { get; }

    public DateTimeOffset? Deadline { get; private set; }

    public CancellationToken CancellationToken { get; private set; }

    public string Peer
    {
        get
        {
            var ip = HttpContext.Connection.RemoteIpAddress;
            if (ip is null)
            {
                return "unknown";
            }

            return ip.AddressFamily == AddressFamily.InterNetworkV6
                ? $"ipv6:[{ip}]:{HttpContext.Connection.RemotePort}"
                : $"ipv4:{ip}:{HttpContext.Connection.RemotePort}";
        }
    }

    /// <summary>Checks the request is a gRPC call and arms its deadline. False when it already answered.</summary>
    public bool TryStart()
    {
        var request = HttpContext.Request;
        var response = HttpContext.Response;
        if (!HttpMethods.IsPost(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return false;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            GrpcServerLog.BadContentType(_runtime.Logger, request.Path, request.ContentType);
            response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;

        var headers = request.Headers;
        _requestEncoding = headers.TryGetValue(GrpcProtocol.EncodingHeader, out var enc) ? enc.ToString() : null;

        TimeSpan? timeout = null;
        if (headers.TryGetValue(GrpcProtocol.TimeoutHeader, out var timeoutValue))
        {
            if (!GrpcProtocol.TryParseTimeout(timeoutValue.ToString(), out var parsed))
            {
                SendStatus(new Status(StatusCode.Internal, $"Invalid grpc-timeout header value '{timeoutValue}'."), null);
                return false;
            }

            timeout = parsed;
        }

        if (Method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming
            && HttpContext.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            // A client stream may rightly pause between messages: no minimum data rate for it.
            rate.MinDataRate = null;
        }

        var streaming = Method.Type != MethodType.Unary;
        if (timeout is null && !streaming)
        {
            CancellationToken = HttpContext.RequestAborted;
            return true;
        }

        _cts = streaming && _runtime.Stopping.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted, _runtime.Stopping)
            : CancellationTokenSource.CreateLinkedTokenSource(HttpContext.RequestAborted);
        CancellationToken = _cts.Token;
        if (timeout is { } t)
        {
            var now = _runtime.TimeProvider.GetUtcNow();
            Deadline = DateTimeOffset.MaxValue - now > t ? now + t : DateTimeOffset.MaxValue;
            // A timer waits at most ~49.7 days; a deadline further out is as good as none for one call.
            if (t <= MaxTimerDelay)
            {
                _deadlineTimer = _runtime.TimeProvider.CreateTimer(
                    static state => ((HttpServerCall)state!).OnDeadline(), this, t, Timeout.InfiniteTimeSpan);
            }
        }

        return true;
    }

    private void OnDeadline()
    {
        _deadlineExceeded = true;
        try
        {
            _cts?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call finished as the deadline fired.
        }
    }

    public Metadata ReadRequestMetadata()
    {
        var metadata = new Metadata();
        foreach (var (key, values) in HttpContext.Request.Headers)
        {
            if (GrpcProtocol.IsReservedHeader(key))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                if (Metadata.IsBinaryKey(key))
                {
                    try
                    {
                        metadata.Add(key, GrpcProtocol.DecodeBinaryHeader(value));
                    }
                    catch (FormatException)
                    {
                        throw new RpcException(StatusCode.InvalidArgument, $"Metadata '{key}' is not valid base64.");
                    }
                }
                else
                {
                    metadata.Add(new Metadata.Entry(key, value));
                }
            }
        }

        return metadata;
    }

    /// <summary>Reads the next message, or null at the end of the request stream.</summary>
    public async ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var reader = HttpContext.Request.BodyReader;
        var max = _runtime.Options.MaxReceiveMessageSize;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken);
            }
            catch (IOException) when (HttpContext.RequestAborted.IsCancellationRequested)
            {
                throw new OperationCanceledException(HttpContext.RequestAborted);
            }

            var buffer = result.Buffer;
            try
            {
                if (MessageFraming.TryRead(ref buffer, max, out var payload, out var compressed))
                {
                    var message = MessageFraming.Parse(parser, payload, compressed, _requestEncoding, max);
                    reader.AdvanceTo(buffer.Start);
                    return message;
                }
            }
            catch
            {
                reader.AdvanceTo(result.Buffer.End);
                throw;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var left = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (left > 0)
                {
                    throw new RpcException(StatusCode.Internal,
                        $"Request stream ended inside a message: {left} byte(s) of an incomplete frame.");
                }

                return null;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads exactly one message, as unary and server-streaming requests carry.</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var message = await ReadMessageAsync(parser, cancellationToken)
            ?? throw new RpcException(StatusCode.Internal, "Request ended without a message; a unary request carries exactly one.");
        if (await ReadMessageAsync(parser, cancellationToken) is not null)
        {
            throw new RpcException(StatusCode.Internal, "Request carries more than one message; a unary request carries exactly one.");
        }

        return message;
    }

    public async Task WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already in progress; await each WriteAsync before the next.");
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            MessageFraming.Write(HttpContext.Response.BodyWriter, message, _runtime.Options.MaxSendMessageSize);
            _responseStarted = true;
            if (flush)
            {
                var result = await HttpContext.Response.BodyWriter.FlushAsync(cancellationToken);
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    public async Task WriteResponseHeadersAsync(Metadata headers)
    {
        if (_responseStarted)
        {
            throw new InvalidOperationException("Response headers were already sent.");
        }

        AppendMetadata(HttpContext.Response.Headers, headers);
        _responseStarted = true;
        await HttpContext.Response.StartAsync(CancellationToken);
    }

    /// <summary>Ends the call after the handler: the context's status and trailers.</summary>
    public void Complete() => SendStatus(Context.Status, Context.ResponseTrailers);

    /// <summary>Ends the call after a failure, with the status the failure maps to.</summary>
    public void Fail(Exception exception)
    {
        if (HttpContext.RequestAborted.IsCancellationRequested)
        {
            GrpcServerLog.CallCancelledByClient(_runtime.Logger, Method.FullName, Peer);
            return;
        }

        Status status;
        Metadata? trailers = null;
        if (_deadlineExceeded)
        {
            status = new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        else if (exception is RpcException rpc)
        {
            status = rpc.Status;
            trailers = rpc.Trailers;
        }
        else if (exception is OperationCanceledException && _runtime.Stopping.IsCancellationRequested)
        {
            status = new Status(StatusCode.Unavailable, "The server is shutting down; reconnect.");
        }
        else
        {
            GrpcServerLog.HandlerFailed(_runtime.Logger, Method.FullName, exception);
            status = new Status(StatusCode.Unknown, _runtime.Options.EnableDetailedErrors
                ? $"Exception was thrown by handler. {exception.GetType().Name}: {exception.Message}"
                : "Exception was thrown by handler.");
        }

        SendStatus(status, trailers);
    }

    private void SendStatus(Status status, Metadata? trailers)
    {
        if (_runtime.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            GrpcServerLog.CallEnded(_runtime.Logger, Method.FullName, Peer, status.StatusCode, status.Detail);
        }

        var response = HttpContext.Response;
        try
        {
            if (!_responseStarted && !response.HasStarted)
            {
                // Trailers-only: one HEADERS frame with END_STREAM carries the status.
                var headers = response.Headers;
                headers[GrpcProtocol.StatusTrailer] = StatusText(status.StatusCode);
                if (!string.IsNullOrEmpty(status.Detail))
                {
                    headers[GrpcProtocol.MessageTrailer] = GrpcProtocol.EncodeMessage(status.Detail);
                }

                if (trailers is { Count: > 0 })
                {
                    AppendMetadata(headers, trailers);
                }

                return;
            }

            response.AppendTrailer(GrpcProtocol.StatusTrailer, StatusText(status.StatusCode));
            if (!string.IsNullOrEmpty(status.Detail))
            {
                response.AppendTrailer(GrpcProtocol.MessageTrailer, GrpcProtocol.EncodeMessage(status.Detail));
            }

            if (trailers is { Count: > 0 })
            {
                foreach (var entry in trailers)
                {
                    response.AppendTrailer(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
                }
            }
        }
        catch (InvalidOperationException ex)
        {
            GrpcServerLog.StatusNotSent(_runtime.Logger, Method.FullName, ex);
        }
    }

    private static StringValues StatusText(StatusCode code) => code switch
    {
        StatusCode.OK => "0",
        _ => ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void AppendMetadata(IHeaderDictionary headers, Metadata metadata)
    {
        foreach (var entry in metadata)
        {
            var value = entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value;
            headers.Append(entry.Key, value);
        }
    }

    public void Dispose()
    {
        _deadlineTimer?.Dispose();
        _cts?.Dispose();
    }
}
