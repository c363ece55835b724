using AntiFraud.Exchange.Protocol.Wire;
using AntiFraud.Exchange.Protocol.Wire.Client;
using AntiFraud.Exchange.Testing.V1;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Protocol.Tests.Wire;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_InFlightUnaryCall_CompletesNormally()
    {
        await using var server = await TestGrpcServer.StartAsync();
        using var channel = server.CreateChannel();
        await channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Text = "connect first" });
        var slow = channel.UnaryCall(InteropMethods.Echo, new EchoRequest { Text = "finishing", DelayMs = 1500 }).ResponseAsync;
        await Task.Delay(300);

        var stopping = server.StopAsync();
        var reply = await slow;
        await stopping;

        Assert.Equal("finishing", reply.Text);
    }

    [Fact]
    public async Task Stop_OpenStream_EndsWithUnavailableSoClientsReconnect()
    {
        await using var server = await TestGrpcServer.StartAsync();
        using var channel = server.CreateChannel();
        using var call = channel.DuplexStreamingCall(InteropMethods.Duplex);
        await call.RequestStream.WriteAsync(new EchoRequest { Text = "open" });
        Assert.True(await call.ResponseStream.MoveNext());

        var stopping = server.StopAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        await stopping;

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }
}
