using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using Grpc.Net.Client;
using AntiFraud.Exchange.Testing.V1;
using AntiFraud.Exchange.TestSupport;
using Google.Protobuf;

namespace AntiFraud.Exchange.Protocol.Tests.Interop;

public sealed class NodeServerFixture : IAsyncLifetime
{
    public NodeServer Server { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await NodePeer.StartServerAsync();
        Channel = GrpcChannel.ForAddress(Server.Address, PartnerChannel.Options(retries: false)
            .TrustOnly(DevPki.RootCaPath).UsePartnerCertificate(DevPki.PartnerCertPath("police-shenzhen"), DevPki.PartnerKeyPath("police-shenzhen")));
    }

    public Task DisposeAsync()
    {
        Channel.Dispose();
        Server.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The partners' C# client (Grpc.Net.Client with the partner channel settings) against a grpc-js server over mTLS: the other direction.</summary>
public sealed class GrpcJsServerTests(NodeServerFixture fixture) : IClassFixture<NodeServerFixture>
{
    private InteropTest.InteropTestClient Client => new(fixture.Channel);

    [Fact]
    public async Task Unary_MetadataHeadersAndTrailers_RoundTrip()
    {
        var headers = new Metadata { { "x-request-id", "r-7" }, { "x-token-bin", new byte[] { 0, 255, 7 } }, { "x-send-initial", "1" } };
        using var call = Client.EchoAsync(new EchoRequest { Text = "止付 stop" }, new CallOptions(headers).WithTimeout(TimeSpan.FromSeconds(10)));

        var response = await call;

        Assert.Equal("止付 stop", response.Text);
        Assert.Equal(["x-request-id=r-7", "x-send-initial=1", "x-token-bin=AP8H"], response.SeenMetadata);
        Assert.Equal("hello", (await call.ResponseHeadersAsync).GetValue("x-echo-initial"));
        Assert.Equal("bye", call.GetTrailers().GetValue("x-echo-trailing"));
        Assert.Equal(new byte[] { 0, 1, 2, 250 }, call.GetTrailers().GetValueBytes("x-echo-trailing-bin"));
        Assert.InRange(response.DeadlineRemainingMs, 1, 10_000);
    }

    [Fact]
    public async Task ServerStreaming_AllMessagesThenOk()
    {
        using var call = Client.ServerStream(new EchoRequest { ResponseCount = 150 });
        var indexes = new List<int>();
        await foreach (var m in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(m.Index);
        }

        Assert.Equal(Enumerable.Range(0, 150), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("bye", call.GetTrailers().GetValue("x-echo-trailing"));
    }

    [Fact]
    public async Task ClientStreaming_EveryRequestArrives()
    {
        using var call = Client.ClientStream();
        for (var i = 0; i < 30; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "m", Payload = ByteString.CopyFrom(new byte[2048]) });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;
        Assert.Equal(30, response.Index);
        Assert.Equal("61440", response.Payload.ToStringUtf8());
    }

    [Fact]
    public async Task Duplex_PingPong()
    {
        using var call = Client.Duplex();
        for (var i = 0; i < 10; i++)
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Text = "p" + i });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal("p" + i, call.ResponseStream.Current.Text);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task ErrorFromGrpcJs_CarriesCodeMessageAndTrailers()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.EchoAsync(new EchoRequest { FailWithCode = 7, FailWithMessage = "bank-beta may not read this case 无权" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("bank-beta may not read this case 无权", ex.Status.Detail);
        Assert.Equal("requested", ex.Trailers.GetValue("x-failure-detail"));
    }

    [Fact]
    public async Task Deadline_AgainstSlowGrpcJsHandler_IsDeadlineExceeded()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.EchoAsync(new EchoRequest { DelayMs = 5000 }, new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(300))).ResponseAsync);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task LargeResponse_AndOversizedRequest()
    {
        var big = await Client.EchoAsync(new EchoRequest { ResponseSize = 12 * 1024 * 1024 });
        Assert.Equal(12 * 1024 * 1024, big.Payload.Length);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Client.EchoAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(10))).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task UnknownMethod_IsUnimplemented()
    {
        var nope = new Method<EchoRequest, EchoResponse>(MethodType.Unary, "antifraud.testing.v1.InteropTest", "NoSuchMethod",
            Marshallers.Create(m => m.ToByteArray(), EchoRequest.Parser.ParseFrom), Marshallers.Create(m => m.ToByteArray(), EchoResponse.Parser.ParseFrom));
        var ex = await Assert.ThrowsAsync<RpcException>(() => fixture.Channel.CreateCallInvoker().AsyncUnaryCall(nope, null, new CallOptions(), new EchoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }
}
