using System.Net;
using System.Net.Http.Headers;
using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Client;
using AntiFraud.Exchange.Testing.V1;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Tests.Wire;

/// <summary>
/// Hand-built HTTP/2 requests that a well-behaved gRPC client would never send. Each must get a clean
/// gRPC status (or the HTTP status the spec names), and the connection must keep serving afterwards.
/// </summary>
public sealed class RawHttp2Tests(ServerFixture fixture) : IClassFixture<ServerFixture>, IDisposable
{
    private readonly HttpMessageInvoker _http = new(GrpcChannel.CreateHandler(new GrpcChannelOptions { TrustedCertificateAuthorities = [DevPki.RootCa()] }));

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task WrongContentType_Gets415()
    {
        using var response = await SendAsync(Frame(new EchoRequest { Text = "x" }.ToByteArray()), "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task GarbageProtobuf_IsInternalWithAReason_AndTheConnectionStillServes()
    {
        using var response = await SendAsync(Frame([0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        var (code, message) = await StatusOf(response);
        Assert.Equal(StatusCode.Internal, code);
        Assert.Contains("Failed to deserialize EchoRequest", message, StringComparison.Ordinal);
        await AssertStillServes();
    }

    [Fact]
    public async Task TruncatedFrame_IsInternal()
    {
        var frame = Frame(new EchoRequest { Text = "hello" }.ToByteArray());
        using var response = await SendAsync(frame[..^3]);
        var (code, message) = await StatusOf(response);
        Assert.Equal(StatusCode.Internal, code);
        Assert.Contains("incomplete frame", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadCompressedFlag_IsInternal()
    {
        var frame = Frame(new EchoRequest { Text = "hello" }.ToByteArray());
        frame[0] = 7;
        using var response = await SendAsync(frame);
        var (code, message) = await StatusOf(response);
        Assert.Equal(StatusCode.Internal, code);
        Assert.Contains("compressed-flag byte is 7", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyUnaryBody_IsInternal()
    {
        using var response = await SendAsync([]);
        var (code, _) = await StatusOf(response);
        Assert.Equal(StatusCode.Internal, code);
    }

    [Fact]
    public async Task TwoMessagesInAUnaryCall_IsInternal()
    {
        var one = Frame(new EchoRequest { Text = "a" }.ToByteArray());
        using var response = await SendAsync([.. one, .. one]);
        var (code, message) = await StatusOf(response);
        Assert.Equal(StatusCode.Internal, code);
        Assert.Contains("more than one message", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeclaredLengthOverTheLimit_IsRefusedFromTheHeaderAlone()
    {
        // Only the 5-byte prefix claims 100 MB; the server must answer without waiting for the body.
        var header = new byte[5];
        header[1] = 0x06;
        header[2] = 0x40;
        using var response = await SendAsync(header);
        var (code, _) = await StatusOf(response);
        Assert.Equal(StatusCode.ResourceExhausted, code);
    }

    [Fact]
    public async Task MalformedTimeout_IsRefusedWithAReason()
    {
        using var response = await SendAsync(Frame(new EchoRequest().ToByteArray()), extra: ("grpc-timeout", "soon"));
        var (code, message) = await StatusOf(response);
        Assert.Equal(StatusCode.Internal, code);
        Assert.Contains("grpc-timeout", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompressedWithUnsupportedEncoding_IsUnimplemented_AndListsWhatIsSupported()
    {
        var frame = Frame(new EchoRequest { Text = "x" }.ToByteArray());
        frame[0] = 1;
        using var response = await SendAsync(frame, extra: ("grpc-encoding", "snappy"));
        var (code, message) = await StatusOf(response);
        Assert.Equal(StatusCode.Unimplemented, code);
        Assert.Contains("snappy", message, StringComparison.Ordinal);
        Assert.Equal("identity,gzip,deflate", response.Headers.GetValues("grpc-accept-encoding").Single());
    }

    [Fact]
    public async Task GzipCompressedRequest_IsDecompressed()
    {
        var plain = new EchoRequest { Text = "compressed 压缩" }.ToByteArray();
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(plain);
        }

        var frame = Frame(packed.ToArray());
        frame[0] = 1;
        using var response = await SendAsync(frame, extra: ("grpc-encoding", "gzip"));
        var body = await response.Content.ReadAsByteArrayAsync();
        var reply = EchoResponse.Parser.ParseFrom(body.AsSpan(5));
        Assert.Equal("compressed 压缩", reply.Text);
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task ErrorBeforeAnyMessage_IsTrailersOnly()
    {
        using var response = await SendAsync(Frame(new EchoRequest { FailWithCode = 5, FailWithMessage = "no such exchange" }.ToByteArray()));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Empty(body);
        Assert.Equal("5", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.TrailingHeaders);
    }

    private async Task AssertStillServes()
    {
        var reply = await fixture.Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Text = "still here" });
        Assert.Equal("still here", reply.Text);
    }

    private async Task<HttpResponseMessage> SendAsync(byte[] body, string contentType = "application/grpc", (string Name, string Value)? extra = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, fixture.Server.Address + InteropMethods.Echo.FullName)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (extra is { } header)
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        return await _http.SendAsync(request, CancellationToken.None);
    }

    private static async Task<(StatusCode Code, string Message)> StatusOf(HttpResponseMessage response)
    {
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = response.Headers.Contains("grpc-status") ? (System.Net.Http.Headers.HttpHeaders)response.Headers : response.TrailingHeaders;
        var code = (StatusCode)int.Parse(headers.GetValues("grpc-status").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var message = headers.TryGetValues("grpc-message", out var m) ? GrpcProtocol.DecodeMessage(m.Single()) : string.Empty;
        return (code, message);
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }
}
