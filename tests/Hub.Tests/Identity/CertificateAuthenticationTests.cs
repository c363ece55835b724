using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Core;
using AntiFraud.Exchange.TestSupport;
using Grpc.Health.V1;

namespace AntiFraud.Exchange.Hub.Tests.Identity;

/// <summary>Real TLS handshakes on loopback, one certificate per case, each with the answer a partner must get.</summary>
public sealed class CertificateAuthenticationTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    [Fact]
    public async Task NoClientCertificate_HandshakeRefused_AndAudited()
    {
        using var channel = fixture.Hub.Channel(partner: null);
        var ex = await Assert.ThrowsAsync<RpcException>(() => Check(channel));
        Assert.True(HandshakeRefusal.Is(ex), $"{ex.StatusCode}: {ex.Status.Detail}");
        await AssertAudited("no client certificate");
    }

    [Fact]
    public async Task ForeignCa_IsRefusedAtTheHandshake_AndAudited()
    {
        using var channel = fixture.Hub.Channel(fixture.Foreign.Cert, fixture.Foreign.Key);
        var ex = await Assert.ThrowsAsync<RpcException>(() => Check(channel));
        Assert.True(HandshakeRefusal.Is(ex), $"{ex.StatusCode}: {ex.Status.Detail}");
        await AssertAudited("not issued by this hub's certificate authority");
    }

    [Fact]
    public Task Expired_IsUnauthenticated() => AssertRefused(fixture.Expired, "expired at");

    [Fact]
    public Task NotYetValid_IsUnauthenticated() => AssertRefused(fixture.NotYetValid, "not valid before");

    [Fact]
    public Task Revoked_IsUnauthenticated() => AssertRefused(fixture.Revoked, "is revoked");

    [Fact]
    public Task ValidButUnregistered_IsUnauthenticated() => AssertRefused(fixture.Unregistered, "'bank-unknown' is not registered");

    [Fact]
    public Task DisabledPartner_IsUnauthenticated() => AssertRefused(fixture.Disabled, "'carrier-disabled' is disabled");

    [Fact]
    public Task CertificateKindDisagreeingWithRegistry_IsUnauthenticated() =>
        AssertRefused(fixture.KindMismatch, "the registry lists a bank");

    [Fact]
    public async Task ValidRegisteredPartner_IsServed()
    {
        using var channel = fixture.Hub.Channel(fixture.Fresh.Cert, fixture.Fresh.Key);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await Check(channel)).Status);
    }

    [Fact]
    public async Task Refusals_NameOnlyTheCallersOwnCertificate()
    {
        using var channel = fixture.Hub.Channel(fixture.Unregistered.Cert, fixture.Unregistered.Key);
        var ex = await Assert.ThrowsAsync<RpcException>(() => Check(channel));
        foreach (var other in new[] { "police-shenzhen", "bank-alpha", "bank-beta", "carrier-east" })
        {
            Assert.DoesNotContain(other, ex.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GrpcJs_WithItsOwnTlsStack_ExpiredCertificate_GetsUnauthenticated()
    {
        var (exit, stdout, stderr) = await NodePeer.RunAsync("client.js",
        [
            "--target", $"127.0.0.1:{fixture.Hub.Port}",
            "--ca", DevPki.RootCaPath,
            "--cert", fixture.Expired.Cert,
            "--key", fixture.Expired.Key,
            "--check", "health_status",
        ], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, stderr);
        Assert.Contains("\"code\":16", stdout, StringComparison.Ordinal);
        Assert.Contains("expired at", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcJs_RegisteredPartner_IsServed()
    {
        var (_, stdout, _) = await NodePeer.RunAsync("client.js",
        [
            "--target", $"127.0.0.1:{fixture.Hub.Port}",
            "--ca", DevPki.RootCaPath,
            "--cert", DevPki.PartnerCertPath("carrier-east"),
            "--key", DevPki.PartnerKeyPath("carrier-east"),
            "--check", "health_status",
        ], TimeSpan.FromMinutes(1));
        Assert.Contains("\"code\":0", stdout, StringComparison.Ordinal);
    }

    private async Task AssertRefused((string Cert, string Key) credential, string reason)
    {
        using var channel = fixture.Hub.Channel(credential.Cert, credential.Key);
        var ex = await Assert.ThrowsAsync<RpcException>(() => Check(channel));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.True(ex.Status.Detail.Contains(reason, StringComparison.Ordinal), ex.Status.Detail);
        await AssertAudited(reason);
    }

    private async Task AssertAudited(string reason)
    {
        for (var i = 0; i < 50 && !fixture.Audit.Events.Any(e => e.Kind == AuditEventKind.Denied && e.Detail.Contains(reason, StringComparison.Ordinal)); i++)
        {
            await Task.Delay(20);
        }

        Assert.Contains(fixture.Audit.Events, e => e.Kind == AuditEventKind.Denied && e.Detail.Contains(reason, StringComparison.Ordinal));
    }

    private static Task<HealthCheckResponse> Check(Grpc.Net.Client.GrpcChannel channel) =>
        new HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync;
}
