using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Client;
using AntiFraud.Exchange.Testing.V1;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Tests.Wire;

/// <summary>The project's client against the project's server, over real TLS and HTTP/2 on loopback.</summary>
public sealed class WireCallTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private GrpcChannel Channel => fixture.Channel;

    [Fact]
    public async Task Unary_EchoesMessageMetadataAndTrailers()
    {
        var headers = new Metadata().Add("x-request-id", "r-42").Add("x-token-bin", new byte[] { 0, 255, 7 });
        using var call = Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Text = "冻结 freeze" }, new CallOptions(headers));

        var response = await call;

        Assert.Equal("冻结 freeze", response.Text);
        Assert.Equal(["x-request-id=r-42", "x-token-bin=AP8H"], response.SeenMetadata);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("bye", call.GetTrailers().GetValue("x-echo-trailing"));
        Assert.Equal(new byte[] { 0, 1, 2, 250 }, call.GetTrailers().GetValueBytes("x-echo-trailing-bin"));
    }

    [Fact]
    public async Task Unary_ResponseHeadersWrittenByHandler_ReachTheClient()
    {
        using var call = Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Text = "h" }, new CallOptions(new Metadata().Add("x-send-initial", "1")));
        var headers = await call.ResponseHeadersAsync;
        await call;
        Assert.Equal("hello", headers.GetValue("x-echo-initial"));
    }

    [Fact]
    public async Task Unary_HandlerError_ArrivesAsTrailersOnlyWithStatusAndEncodedMessage()
    {
        var request = new EchoRequest { FailWithCode = (int)StatusCode.InvalidArgument, FailWithMessage = "field 'amount.minor_units' must be positive: 金额" };
        using var call = Channel.UnaryCall(InteropMethods.Echo, request);

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("field 'amount.minor_units' must be positive: 金额", ex.Status.Detail);
        Assert.Equal("requested", ex.Trailers.GetValue("x-failure-detail"));
    }

    [Fact]
    public async Task ServerStreaming_DeliversEveryMessageInOrder()
    {
        using var call = Channel.ServerStreamingCall(InteropMethods.ServerStream, new EchoRequest { Text = "s", ResponseCount = 200 });
        var indexes = new List<int>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(message.Index);
        }

        Assert.Equal(Enumerable.Range(0, 200), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("bye", call.GetTrailers().GetValue("x-echo-trailing"));
    }

    [Fact]
    public async Task ClientStreaming_ServerSeesEveryRequest()
    {
        using var call = Channel.ClientStreamingCall(InteropMethods.ClientStream);
        for (var i = 0; i < 50; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Payload = ByteString.CopyFrom(new byte[1000]) });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;

        Assert.Equal(50, response.Index);
        Assert.Equal(string.Join(",", Enumerable.Range(0, 50)), response.Text);
        Assert.Equal("50000", response.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Duplex_PingPong_EachRequestAnsweredBeforeTheNextIsSent()
    {
        using var call = Channel.DuplexStreamingCall(InteropMethods.Duplex);
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "ping" + i });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal("ping" + i, call.ResponseStream.Current.Text);
            Assert.Equal(i, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Deadline_SlowHandler_EndsWithDeadlineExceededPromptly()
    {
        var started = TimeProvider.System.GetTimestamp();
        using var call = Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { DelayMs = 10_000 }, new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(300)));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Deadline_IsSentAsGrpcTimeout_AndTheServerSeesIt()
    {
        var response = await Channel.UnaryCall(InteropMethods.Echo, new EchoRequest(), new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));
        Assert.InRange(response.DeadlineRemainingMs, 20_000, 30_000);

        var none = await Channel.UnaryCall(InteropMethods.Echo, new EchoRequest());
        Assert.Equal(-1, none.DeadlineRemainingMs);
    }

    [Fact]
    public async Task Deadline_AlreadyPassed_FailsWithoutSending()
    {
        var options = new CallOptions(Deadline: TimeProvider.System.GetUtcNow().AddSeconds(-1));
        var ex = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryCall(InteropMethods.Echo, new EchoRequest(), options).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Cancellation_ByClientToken_IsCancelled()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { DelayMs = 10_000 }, new CallOptions(CancellationToken: cts.Token)).ResponseAsync);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
    }

    [Fact]
    public async Task LargeMessages_UnderTheLimit_RoundTrip()
    {
        var payload = ByteString.CopyFrom(Enumerable.Range(0, ServerFixture.MaxReceive - 64).Select(i => (byte)i).ToArray());
        var response = await Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Payload = payload, ResponseSize = 8 * 1024 * 1024 });
        Assert.Equal(8 * 1024 * 1024, response.Payload.Length);
    }

    [Fact]
    public async Task LargeMessages_OverTheServerLimit_AreResourceExhausted()
    {
        var request = new EchoRequest { Payload = ByteString.CopyFrom(new byte[ServerFixture.MaxReceive + 1]) };
        var ex = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryCall(InteropMethods.Echo, request).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("maximum configured message size", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LargeMessages_OverTheClientLimit_AreResourceExhausted()
    {
        using var small = fixture.Server.CreateChannel(configure: o => o.MaxReceiveMessageSize = 1000);
        var ex = await Assert.ThrowsAsync<RpcException>(() => small.UnaryCall(InteropMethods.Echo, new EchoRequest { ResponseSize = 5000 }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task UnknownMethodAndService_AreUnimplemented()
    {
        var unknownMethod = new Method<EchoRequest, EchoResponse>(MethodType.Unary, InteropMethods.ServiceName, "NoSuchMethod");
        var unknownService = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "antifraud.nope.v1.Nope", "Echo");

        var a = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryCall(unknownMethod, new EchoRequest()).ResponseAsync);
        var b = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryCall(unknownService, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, a.StatusCode);
        Assert.Contains("NoSuchMethod", a.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unimplemented, b.StatusCode);
        Assert.Contains("antifraud.nope.v1.Nope", b.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyConcurrentCalls_AllSucceed()
    {
        var calls = Enumerable.Range(0, 500).Select(async i =>
            (await Channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Text = "c" + i })).Text);
        var texts = await Task.WhenAll(calls);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => "c" + i), texts);
    }

    [Fact]
    public async Task Unreachable_Server_IsUnavailable()
    {
        using var channel = GrpcChannel.ForAddress("https://127.0.0.1:1", new GrpcChannelOptions { TrustedCertificateAuthorities = [DevPki.RootCa()] });
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryCall(InteropMethods.Echo, new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task StreamingWrites_ToAnUntrustedServer_FailWithUnavailableInsteadOfHanging()
    {
        // Trusts a CA that did not sign the server: the handshake fails and the write must say so.
        using var channel = fixture.Server.CreateChannel(configure: o => o.TrustedCertificateAuthorities = [DevPki.IssuingCa()]);
        using var call = channel.DuplexStreamingCall(InteropMethods.Duplex, new CallOptions().WithTimeout(TimeSpan.FromSeconds(20)));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest { Text = "x" }));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }
}
