using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Wire.Client;

/// <summary>
/// One client call on one HTTP/2 stream, for every call kind: sends the framed request(s), reads
/// headers, framed responses and the trailing status.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>, IDisposable
    where TRequest : class, IMessage<TRequest>, new()
    where TResponse : class, IMessage<TResponse>, new()
{
    private static readonly MediaTypeHeaderValue GrpcMediaType = new(GrpcProtocol.ContentType);

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _cts;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _deadlineTimer;
    private volatile bool _deadlineExceeded;
    private Task<HttpResponseMessage>? _send;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private StreamingRequestContent? _requestContent;
    private Status? _status;
    private Metadata? _trailers;
    private TResponse? _current;
    private int _writing;
    private bool _disposed;
    private Task<bool>? _responseStarted;
    private readonly Lock _gate = new();

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken);
    }

    public TResponse Current => _current ?? throw new InvalidOperationException("Call MoveNext first.");

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public void StartUnary(TRequest request)
    {
        var content = new ByteArrayContent(MessageFraming.ToFramedArray(request, _channel.Options.MaxSendMessageSize));
        Start(content);
    }

    public void StartStreaming()
    {
        _requestContent = new StreamingRequestContent(_cts.Token);
        Start(_requestContent);
    }

    private void Start(HttpContent content)
    {
        content.Headers.ContentType = GrpcMediaType;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("te", "trailers");
        headers.TryAddWithoutValidation("user-agent", _channel.Options.UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (_options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                headers.TryAddWithoutValidation(entry.Key, entry.IsBinary ? GrpcProtocol.EncodeBinaryHeader(entry.ValueBytes) : entry.Value);
            }
        }

        if (_options.Deadline is { } deadline)
        {
            var time = _channel.Options.TimeProvider;
            var remaining = deadline - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineExceeded = true;
                Finish(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);
                request.Dispose();
                _send = Task.FromException<HttpResponseMessage>(new OperationCanceledException());
                return;
            }

            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(remaining));
            _deadlineTimer = time.CreateTimer(static s => ((GrpcCall<TRequest, TResponse>)s!).OnDeadline(), this, remaining, Timeout.InfiniteTimeSpan);
        }

        _send = _channel.Invoker.SendAsync(request, _cts.Token);
    }

    private void OnDeadline()
    {
        _deadlineExceeded = true;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Completed as the deadline fired.
        }
    }

    /// <summary>The status; only once the call has ended.</summary>
    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not ended yet.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("The call has not ended yet.");

    /// <summary>Reads the single response of a unary or client-streaming call.</summary>
    public async Task<TResponse> GetSingleResponseAsync()
    {
        if (!await MoveNext())
        {
            throw Fail(new Status(StatusCode.Internal, "Server ended the call with OK but sent no response message."));
        }

        var response = _current!;
        if (await MoveNext())
        {
            throw Fail(new Status(StatusCode.Internal, "Server sent more than one response message to a unary call."));
        }

        return response;
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cts)
            : default;
        try
        {
            if (!await EnsureResponseAsync())
            {
                return ThrowIfNotOk();
            }

            var reader = _reader!;
            var max = _channel.Options.MaxReceiveMessageSize;
            while (true)
            {
                var result = await reader.ReadAsync(_cts.Token);
                var buffer = result.Buffer;
                if (MessageFraming.TryRead(ref buffer, max, out var payload, out var compressed))
                {
                    var encoding = _response!.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var e) ? e.FirstOrDefault() : null;
                    _current = MessageFraming.Parse(_method.ResponseParser, payload, compressed, encoding, max);
                    reader.AdvanceTo(buffer.Start);
                    return true;
                }

                if (result.IsCompleted)
                {
                    var left = buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    if (left > 0)
                    {
                        throw Fail(new Status(StatusCode.Internal, $"Response ended inside a message: {left} byte(s) of an incomplete frame."));
                    }

                    ReadTrailers();
                    return ThrowIfNotOk();
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, ex.Trailers);
            throw;
        }
        catch (Exception ex)
        {
            throw Fail(MapException(ex, cancellationToken), ex);
        }
    }

    private bool ThrowIfNotOk()
    {
        var status = _status!.Value;
        if (status.StatusCode != StatusCode.OK)
        {
            throw new RpcException(status, _trailers);
        }

        return false;
    }

    /// <summary>Waits for response headers. False when the call has already ended (trailers-only or failed before).</summary>
    private async Task<bool> EnsureResponseAsync()
    {
        Task<bool> headers;
        lock (_gate)
        {
            headers = _responseStarted ??= ReadResponseHeadersAsync();
        }

        return await headers && _status is null;
    }

    private async Task<bool> ReadResponseHeadersAsync()
    {
        if (_status is not null)
        {
            return false;
        }

        HttpResponseMessage response;
        try
        {
            response = await _send!;
        }
        catch (Exception ex)
        {
            throw Fail(MapException(ex, default), ex);
        }

        _response = response;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw Fail(new Status(GrpcProtocol.FromHttpStatus((int)response.StatusCode),
                $"Bad gRPC response: HTTP status {(int)response.StatusCode} {response.ReasonPhrase}."));
        }

        if (response.Headers.TryGetValues(GrpcProtocol.StatusTrailer, out _))
        {
            // Trailers-only: the status came in the only HEADERS frame.
            var metadata = ReadMetadata(response.Headers);
            _headers.TrySetResult(metadata);
            Finish(ParseStatus(response.Headers), metadata);
            return false;
        }

        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw Fail(new Status(StatusCode.Internal, $"Bad gRPC response: content-type '{contentType}' is not application/grpc."));
        }

        _headers.TrySetResult(ReadMetadata(response.Headers));
        var stream = await response.Content.ReadAsStreamAsync(_cts.Token);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(minimumReadSize: 4096));
        return true;
    }

    private void ReadTrailers()
    {
        var trailers = _response!.TrailingHeaders;
        if (!trailers.TryGetValues(GrpcProtocol.StatusTrailer, out _))
        {
            Finish(new Status(StatusCode.Internal, "Response ended without a grpc-status trailer."), ReadMetadata(trailers));
            return;
        }

        Finish(ParseStatus(trailers), ReadMetadata(trailers));
    }

    private static Status ParseStatus(HttpHeaders headers)
    {
        var text = headers.GetValues(GrpcProtocol.StatusTrailer).First();
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return new Status(StatusCode.Unknown, $"Unparseable grpc-status '{text}'.");
        }

        var message = headers.TryGetValues(GrpcProtocol.MessageTrailer, out var m) ? GrpcProtocol.DecodeMessage(m.First()) : string.Empty;
        return new Status((StatusCode)code, message);
    }

    private static Metadata ReadMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers)
        {
            if (GrpcProtocol.IsReservedHeader(key))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (Metadata.IsBinaryKey(key))
                {
                    try
                    {
                        metadata.Add(key.ToLowerInvariant(), GrpcProtocol.DecodeBinaryHeader(value));
                    }
                    catch (FormatException)
                    {
                        // A malformed binary header is dropped rather than failing a call that succeeded.
                    }
                }
                else if (IsPrintable(value))
                {
                    metadata.Add(key.ToLowerInvariant(), value);
                }
            }
        }

        return metadata;
    }

    private static bool IsPrintable(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private Status MapException(Exception ex, CancellationToken readToken)
    {
        if (_deadlineExceeded)
        {
            return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (ex is OperationCanceledException && (_options.CancellationToken.IsCancellationRequested || readToken.IsCancellationRequested || _disposed))
        {
            return new Status(StatusCode.Cancelled, "Call cancelled by the client.");
        }

        var protocol = ex as HttpProtocolException ?? ex.InnerException as HttpProtocolException;
        if (protocol is not null)
        {
            return protocol.ErrorCode switch
            {
                0x0 => new Status(StatusCode.Unavailable, "The server closed the connection (GOAWAY NO_ERROR); reconnect and retry."),
                0x8 => new Status(StatusCode.Cancelled, "Stream reset by the server (CANCEL)."),
                0x7 => new Status(StatusCode.Unavailable, "Stream refused by the server (REFUSED_STREAM); safe to retry."),
                0xb => new Status(StatusCode.ResourceExhausted, "Server reported ENHANCE_YOUR_CALM."),
                _ => new Status(StatusCode.Internal, $"HTTP/2 error {protocol.ErrorCode}: {protocol.Message}"),
            };
        }

        return ex switch
        {
            HttpRequestException { InnerException: AuthenticationException auth } =>
                new Status(StatusCode.Unavailable, $"TLS handshake with {_channel.Address.Authority} failed: {auth.Message}"),
            HttpRequestException http => new Status(StatusCode.Unavailable, $"Cannot reach {_channel.Address.Authority}: {http.Message}"),
            IOException io => new Status(StatusCode.Unavailable, $"Connection to {_channel.Address.Authority} lost: {io.Message}"),
            OperationCanceledException => new Status(StatusCode.Cancelled, "Call cancelled."),
            _ => new Status(StatusCode.Internal, $"Client failure: {ex.GetType().Name}: {ex.Message}"),
        };
    }

    private RpcException Fail(Status status, Exception? inner = null)
    {
        Finish(status, null);
        return new RpcException(_status!.Value, _trailers, inner);
    }

    /// <summary>Records the final status once and releases the stream.</summary>
    private void Finish(Status status, Metadata? trailers)
    {
        if (_status is not null)
        {
            return;
        }

        _status = status;
        _trailers = trailers ?? new Metadata();
        _headers.TrySetResult(new Metadata());
        _deadlineTimer?.Dispose();
        _requestContent?.Abort();
        if (status.StatusCode != StatusCode.OK)
        {
            Cancel();
        }
    }

    private void Cancel()
    {
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed.
        }
    }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var content = _requestContent ?? throw new InvalidOperationException("This call has no request stream.");
        if (_status is { } status)
        {
            throw new RpcException(status.StatusCode == StatusCode.OK
                ? new Status(StatusCode.Internal, "The call has already ended; no more requests can be written.")
                : status, _trailers);
        }

        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already in progress; await each WriteAsync before the next.");
        }

        try
        {
            var framed = MessageFraming.ToFramedArray(message, _channel.Options.MaxSendMessageSize);
            if (!content.StreamTask.IsCompleted)
            {
                await WaitForRequestStreamAsync(content, cancellationToken);
            }

            await content.WriteAsync(framed, cancellationToken);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException or InvalidOperationException)
        {
            throw new RpcException(_status ?? MapException(ex, cancellationToken), _trailers, ex);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>
    /// Waits until the handler opens the request body. If the send ends first (connection refused, TLS
    /// failure, or the server answered before reading), the call's status is raised instead of waiting forever.
    /// </summary>
    private async Task WaitForRequestStreamAsync(StreamingRequestContent content, CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(content.StreamTask, _send!).WaitAsync(cancellationToken);
        if (first == content.StreamTask)
        {
            return;
        }

        if (!await EnsureResponseAsync())
        {
            var status = _status ?? new Status(StatusCode.Internal, "The call ended before its request stream opened.");
            throw new RpcException(status.StatusCode == StatusCode.OK
                ? new Status(StatusCode.Internal, "The server ended the call before reading its requests.")
                : status, _trailers);
        }
    }

    public Task CompleteAsync()
    {
        _requestContent?.Complete();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_status is null)
        {
            Finish(new Status(StatusCode.Cancelled, "Call disposed before it ended."), null);
            Cancel();
        }

        _deadlineTimer?.Dispose();
        _reader?.Complete();
        _response?.Dispose();
        _cts.Dispose();
    }
}

/// <summary>A request body that stays open while the response is read (full duplex over HTTP/2).</summary>
internal sealed class StreamingRequestContent(CancellationToken callToken) : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> StreamTask => _stream.Task;

    public async Task WriteAsync(byte[] framed, CancellationToken cancellationToken)
    {
        if (_complete.Task.IsCompleted)
        {
            throw new InvalidOperationException("The request stream is already complete.");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken);
        var stream = await _stream.Task.WaitAsync(linked.Token);
        await stream.WriteAsync(framed, linked.Token);
        await stream.FlushAsync(linked.Token);
    }

    public void Complete() => _complete.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _complete.TrySetResult();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, default);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _complete.Task.WaitAsync(cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
