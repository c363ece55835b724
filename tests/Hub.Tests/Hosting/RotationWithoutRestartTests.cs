using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Audit;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.Protocol.Transparency;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Hub.Tests.Hosting;

/// <summary>
/// The hub's TLS certificate, its audit signing key and the pseudonym secret are replaced while it serves, as the README says: each
/// takes effect within a second, each change is an audit entry, a bad replacement is refused with the old one left in force, and
/// nothing signed or stored before is lost (old checkpoints verify with the old public key; the log reopens after a restart).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RotationWithoutRestartTests : IDisposable
{
    private readonly TestCertificates _certs = new();

    private string DataDir => Path.Combine(_certs.Dir, "data");

    public void Dispose() => _certs.Dispose();

    [Fact]
    public async Task TlsCertificate_NewHandshakesPresentTheNewOne_AMismatchedPairIsRefused()
    {
        var cert = Path.Combine(_certs.Dir, "hub-chain.crt");
        var key = Path.Combine(_certs.Dir, "hub.key");
        File.Copy(DevPki.ServerChainPath, cert);
        File.Copy(DevPki.ServerKeyPath, key);
        await using var hub = await StartAsync($"--Hub:Tls:CertificatePath={cert}", $"--Hub:Tls:KeyPath={key}");
        var original = DevPki.ServerCertificate().SerialNumber;
        Assert.Equal(original, await PresentedSerialAsync(hub.Port));

        // The README's order: the key first, then the chain. Partners' channels opened before keep working.
        using var police = new Partner(hub, "police-shenzhen");
        var next = _certs.IssueServer("next");
        File.Copy(next.Key, key, overwrite: true);
        File.Copy(next.Cert, cert, overwrite: true);
        Assert.Equal(next.Certificate.SerialNumber, await PresentedSerialEventuallyAsync(hub.Port, next.Certificate.SerialNumber));
        using var fresh = new Partner(hub, "police-shenzhen");
        Assert.NotEmpty((await fresh.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000091001", 100_00))).ExchangeId);
        Assert.NotEmpty((await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000091002", 100_00))).ExchangeId);
        await AuditedAsync(hub, "Hub TLS certificate", $"serial {next.Certificate.SerialNumber}");

        // A certificate whose key is not the one beside it: refused, and the one in force stays.
        var third = _certs.IssueServer("third");
        var refusedBefore = await AuditedAsync(hub, "Hub TLS certificate", "edit refused", atLeast: 0);
        File.Copy(third.Cert, cert, overwrite: true);
        await AuditedAsync(hub, "Hub TLS certificate", "edit refused", atLeast: refusedBefore + 1);
        Assert.Equal(next.Certificate.SerialNumber, await PresentedSerialAsync(hub.Port));
    }

    [Fact]
    public async Task AuditSigningKey_OldCheckpointsVerifyWithTheOldKey_NewOnesWithTheNew_TheLogReopens()
    {
        var keyPath = Path.Combine(_certs.Dir, "log-signing.key");
        File.Copy(Path.Combine(DevPki.CertsDir, "audit", "log-signing.key"), keyPath);
        using var oldKey = ECDsa.Create();
        oldKey.ImportFromPem(File.ReadAllText(keyPath));
        string before;
        var settings = new[] { $"--Hub:Audit:SigningKeyPath={keyPath}" };
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using (var hub = await StartAsync(settings))
        {
            using var police = new Partner(hub, "police-shenzhen");
            await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000092001", 100_00));
            before = (await police.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true })).SignedNote;
            SignedCheckpoint.Verify(before, "antifraud.exchange/dev-hub", oldKey);

            await File.WriteAllTextAsync(keyPath, newKey.ExportECPrivateKeyPem());
            await AuditedAsync(hub, "Audit signing key", "checkpoints are now signed by key " + Convert.ToHexStringLower(SignedCheckpoint.KeyId(newKey)));
            await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000092002", 100_00));
            var after = (await police.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true })).SignedNote;
            Assert.True(SignedCheckpoint.Verify(after, "antifraud.exchange/dev-hub", newKey).Size > SignedCheckpoint.Verify(before,
                "antifraud.exchange/dev-hub", oldKey).Size);
            Assert.Throws<CryptographicException>(() => SignedCheckpoint.Verify(after, "antifraud.exchange/dev-hub", oldKey));

            // A file that is not a private key: refused, and the new key stays in force.
            await File.WriteAllTextAsync(keyPath, newKey.ExportSubjectPublicKeyInfoPem());
            await AuditedAsync(hub, "Audit signing key", "edit refused");
            await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000092003", 100_00));
            SignedCheckpoint.Verify((await police.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true })).SignedNote,
                "antifraud.exchange/dev-hub", newKey);
            await File.WriteAllTextAsync(keyPath, newKey.ExportECPrivateKeyPem());
        }

        // Offline, audit.keys verifies the whole history: checkpoints signed by the old key and by the new.
        var audit = Path.Combine(DataDir, "audit");
        var keys = SignedCheckpoint.ReadPublicKeys(File.ReadAllText(Path.Combine(audit, AuditKeys.FileName)));
        Assert.Equal(2, keys.Count);
        var report = SegmentVerifier.Verify(File.ReadAllBytes(Path.Combine(audit, "audit.log")), [before], "antifraud.exchange/dev-hub", keys,
            history: File.ReadAllBytes(Path.Combine(audit, "audit.history")));
        Assert.True(report.Valid, report.Message);
        Assert.False(SegmentVerifier.Verify(File.ReadAllBytes(Path.Combine(audit, "audit.log")), [], "antifraud.exchange/dev-hub", [oldKey],
            history: File.ReadAllBytes(Path.Combine(audit, "audit.history"))).Valid);

        // The hub opens the log again with the new key in its settings, and keeps serving receipts.
        await using (var hub = await StartAsync(settings))
        {
            using var police = new Partner(hub, "police-shenzhen");
            await police.Exchange.SubmitAsync(Requests.Freeze("bank-alpha", "6222000000092004", 100_00));
            SignedCheckpoint.Verify((await police.Audit.GetCheckpointAsync(new GetCheckpointRequest { Fresh = true })).SignedNote,
                "antifraud.exchange/dev-hub", newKey);
        }
    }

    [Fact]
    public async Task PseudonymSecret_IsReplacedWithinASecond_AndAShortOrSharedSecretIsRefused()
    {
        var secretPath = Path.Combine(_certs.Dir, "masking.key");
        await File.WriteAllTextAsync(secretPath, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(secretPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var clock = new ManualTimeProvider();
        var keys = PseudonymKeys.Load(secretPath, clock, NullLogger.Instance);
        var first = keys.Pseudonym("bank-alpha", DataClass.PhoneNumber, "+8613800138000"u8);
        Assert.Equal(first, keys.Pseudonym("bank-alpha", DataClass.PhoneNumber, "+8613800138000"u8));

        await File.WriteAllTextAsync(secretPath, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)) + "\n");
        clock.Advance(TimeSpan.FromSeconds(2));
        var second = keys.Pseudonym("bank-alpha", DataClass.PhoneNumber, "+8613800138000"u8);
        Assert.NotEqual(first, second);

        await File.WriteAllTextAsync(secretPath, "00112233");
        Assert.False(keys.Refresh());
        Assert.Equal(second, keys.Pseudonym("bank-alpha", DataClass.PhoneNumber, "+8613800138000"u8));

        await File.WriteAllTextAsync(secretPath, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(secretPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.False(keys.Refresh());
        Assert.Equal(second, keys.Pseudonym("bank-alpha", DataClass.PhoneNumber, "+8613800138000"u8));

        // In the hub: the watcher takes the new secret and audits it.
        File.SetUnixFileMode(secretPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var hub = await StartAsync($"--Hub:Masking:SecretPath={secretPath}");
        await File.WriteAllTextAsync(secretPath, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        await AuditedAsync(hub, "Pseudonym secret", "pseudonyms given from now on differ");
    }

    private async Task<HubFixture> StartAsync(params string[] settings)
    {
        var hub = new HubFixture();
        await hub.StartAsync(HubFixture.Build([$"--Hub:Store:Path={DataDir}/hub.db", .. settings]));
        return hub;
    }

    /// <summary>Waits for at least this many CONFIGURATION_CHANGED entries about WHAT holding DETAIL; returns how many there are.</summary>
    private static async Task<int> AuditedAsync(HubFixture hub, string what, string detail, int atLeast = 1)
    {
        using var auditor = new Partner(hub, "auditor-national");
        var seen = new List<string>();
        // The watcher looks every half second: up to 30 s of looks, bounded by count.
        for (var look = 0; look < 300; look++)
        {
            var entries = await auditor.Audit.QueryAsync(new AuditQueryRequest { Kinds = { AuditEventKind.ConfigurationChanged }, PageSize = 200 });
            seen = [.. entries.Entries.Select(e => e.Detail)];
            var count = seen.Count(d => d.StartsWith(what, StringComparison.Ordinal) && d.Contains(detail, StringComparison.Ordinal));
            if (count >= atLeast)
            {
                return count;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"no CONFIGURATION_CHANGED entry '{what} ... {detail}'; entries: {string.Join(" | ", seen)}");
    }

    private static async Task<string> PresentedSerialEventuallyAsync(int port, string expected)
    {
        var serial = string.Empty;
        for (var look = 0; look < 300 && serial != expected; look++)
        {
            await Task.Delay(100);
            serial = await PresentedSerialAsync(port);
        }

        return serial;
    }

    /// <summary>The serial number of the certificate the hub presents in a new handshake.</summary>
    private static async Task<string> PresentedSerialAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var client = X509CertificateLoader.LoadPkcs12(X509Certificate2.CreateFromPemFile(DevPki.PartnerCertPath("police-shenzhen"),
            DevPki.PartnerKeyPath("police-shenzhen")).Export(X509ContentType.Pkcs12), null);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            ClientCertificates = [client],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData()).SerialNumber;
    }
}
