using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Grpc.Health.V1;

namespace AntiFraud.Exchange.Hub.Tests.Hosting;

public sealed class HubStartupTests(HubFixture hub) : IClassFixture<HubFixture>
{
    [Fact]
    public async Task Hub_WithDevCertificates_AnswersHealthOverMutualTls()
    {
        using var channel = hub.Channel("police-shenzhen");
        var reply = await new HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Hub_ClientWithoutCertificate_IsRefusedAtTheHandshake()
    {
        using var channel = hub.Channel(partner: null);
        var ex = await Assert.ThrowsAsync<RpcException>(() => new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.True(HandshakeRefusal.Is(ex), $"{ex.StatusCode}: {ex.Status.Detail}");
    }

    [Fact]
    public async Task Hub_GrpcJsHealthCheck_Passes()
    {
        var (exit, stdout, stderr) = await NodePeer.RunAsync("client.js",
        [
            "--target", $"127.0.0.1:{hub.Port}",
            "--ca", DevPki.RootCaPath,
            "--cert", DevPki.PartnerCertPath("carrier-east"),
            "--key", DevPki.PartnerKeyPath("carrier-east"),
            "--check", "health_check",
        ], TimeSpan.FromMinutes(1));
        Assert.Equal(0, exit);
        Assert.Contains("\"ok\":true", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\"ok\":false", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Hub_MissingServerCertificate_FailsToStartNamingTheSetting()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => HubFixture.Build("--Hub:Tls:CertificatePath=certs-dev/hub/nope.crt"));
        Assert.Contains("Hub:Tls:CertificatePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Hub__Tls__CertificatePath", ex.Message, StringComparison.Ordinal);
    }
}
