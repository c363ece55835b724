using AntiFraud.Exchange.Protocol.Wire.Client;
using AntiFraud.Exchange.TestSupport;

namespace AntiFraud.Exchange.Protocol.Tests.Wire;

/// <summary>One real TLS server per test class, with a 1 MiB receive limit to make size tests cheap.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const int MaxReceive = 1024 * 1024;

    public TestGrpcServer Server { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await TestGrpcServer.StartAsync(grpc: o => o.MaxReceiveMessageSize = MaxReceive);
        Channel = Server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}
