using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AntiFraud.Exchange.Hub.Tests.Identity;

/// <summary>
/// A hub whose registry and CRL live in a temp folder, and a certificate for each refusal case, all
/// signed by the committed dev issuing CA unless the case says otherwise.
/// </summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    public TestCertificates Certs { get; } = new();

    public HubFixture Hub { get; } = new();

    public RecordingAuditSink Audit { get; } = new();

    public (string Cert, string Key) Expired { get; private set; }

    public (string Cert, string Key) NotYetValid { get; private set; }

    public (string Cert, string Key) Revoked { get; private set; }

    public (string Cert, string Key) Foreign { get; private set; }

    public (string Cert, string Key) Unregistered { get; private set; }

    public (string Cert, string Key) Disabled { get; private set; }

    public (string Cert, string Key) KindMismatch { get; private set; }

    public (string Cert, string Key) Fresh { get; private set; }

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var expired = Certs.Issue("bank", "bank-expired", now.AddDays(-30), now.AddDays(-1));
        var future = Certs.Issue("bank", "bank-future", now.AddDays(1), now.AddDays(30));
        var revoked = Certs.Issue("bank", "bank-revoked");
        var foreign = Certs.Issue("bank", "bank-alpha", name: "foreign", foreign: true);
        var unregistered = Certs.Issue("bank", "bank-unknown");
        var disabled = Certs.Issue("carrier", "carrier-disabled");
        var mismatch = Certs.Issue("police", "bank-beta", name: "mismatch");
        var fresh = Certs.Issue("bank", "bank-fresh");
        Expired = (expired.Cert, expired.Key);
        NotYetValid = (future.Cert, future.Key);
        Revoked = (revoked.Cert, revoked.Key);
        Foreign = (foreign.Cert, foreign.Key);
        Unregistered = (unregistered.Cert, unregistered.Key);
        Disabled = (disabled.Cert, disabled.Key);
        KindMismatch = (mismatch.Cert, mismatch.Key);
        Fresh = (fresh.Cert, fresh.Key);

        var crl = Certs.WriteCrl(revoked.Certificate);
        var registry = Certs.WriteRegistry(
            ("police-shenzhen", "police", true), ("bank-alpha", "bank", true), ("bank-beta", "bank", true),
            ("bank-expired", "bank", true), ("bank-future", "bank", true), ("bank-revoked", "bank", true),
            ("carrier-disabled", "carrier", false), ("bank-fresh", "bank", true), ("carrier-east", "carrier", true));
        await Hub.StartAsync(HubFixture.Build(
            s => s.AddSingleton<IAuditSink>(Audit),
            $"--Hub:Tls:CrlPath={crl}", $"--Hub:Partners:RegistryPath={registry}"));
    }

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Certs.Dispose();
    }
}
