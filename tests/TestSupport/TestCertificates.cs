using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>
/// Real certificates for identity tests, signed by the committed dev issuing CA (or by a foreign CA),
/// written as PEM files so both the C# client and grpc-js can present them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private static readonly Lazy<X509Certificate2> Issuing = new(() =>
        X509Certificate2.CreateFromPemFile(DevPki.IssuingCaPath, Path.Combine(DevPki.CertsDir, "ca", "issuing.key")));

    public TestCertificates()
    {
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "afx-certs-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A partner certificate from the dev issuing CA, with the chosen validity, written as DIR/NAME.crt/.key.</summary>
    public (string Cert, string Key, X509Certificate2 Certificate) Issue(
        string kind, string id, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string? name = null, bool foreign = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={id}, O={kind}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri($"urn:afx:partner:{kind}:{id}"));
        request.CertificateExtensions.Add(san.Build());

        var issuer = foreign ? ForeignCa.Value : Issuing.Value;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        // A certificate cannot outlive or predate its issuer: clamp into the issuer's window. An
        // "expired" certificate then lapses one second after the dev CA was created.
        var issuerFrom = new DateTimeOffset(issuer.NotBefore.ToUniversalTime());
        var issuerTo = new DateTimeOffset(issuer.NotAfter.ToUniversalTime());
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        from = from < issuerFrom ? issuerFrom : from;
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        to = to > issuerTo ? issuerTo : to <= from ? from.AddSeconds(1) : to;
        using var signed = request.Create(issuer, from, to, serial);
        var withKey = signed.CopyWithPrivateKey(key);
        var file = name ?? id;
        var certPath = Path.Combine(Dir, file + ".crt");
        var keyPath = Path.Combine(Dir, file + ".key");
        File.WriteAllText(certPath, withKey.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, withKey);
    }

    /// <summary>A hub server certificate (localhost, 127.0.0.1) from the dev issuing CA, written as DIR/NAME.crt (chain) and .key.</summary>
    public (string Cert, string Key, X509Certificate2 Certificate) IssueServer(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=AntiFraud.Exchange DEV", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signed = request.Create(Issuing.Value, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        var withKey = signed.CopyWithPrivateKey(key);
        var certPath = Path.Combine(Dir, name + ".crt");
        var keyPath = Path.Combine(Dir, name + ".key");
        File.WriteAllText(certPath, withKey.ExportCertificatePem() + "\n" + Issuing.Value.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, withKey);
    }

    private long _crlNumber;

    /// <summary>
    /// A CRL from the dev issuing CA listing these certificates, written as DIR/crl.pem. Each call
    /// issues the next CRL number, as a CA does.
    /// </summary>
    public string WriteCrl(params X509Certificate2[] revoked) =>
        WriteCrl(Interlocked.Increment(ref _crlNumber), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(7), revoked);

    /// <summary>A CRL with a chosen number and update times (for replayed and stale lists), written as DIR/crl.pem.</summary>
    public string WriteCrl(long number, DateTimeOffset thisUpdate, DateTimeOffset nextUpdate, params X509Certificate2[] revoked)
    {
        _crlNumber = Math.Max(_crlNumber, number);
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, thisUpdate.AddMinutes(-1));
        }

        var der = builder.Build(Issuing.Value, new BigInteger(number), nextUpdate, HashAlgorithmName.SHA256, thisUpdate: thisUpdate);
        var path = Path.Combine(Dir, "crl.pem");
        var temp = path + ".tmp";
        File.WriteAllText(temp, PemEncoding.WriteString("X509 CRL", der));
        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>A partner registry file with these entries.</summary>
    public string WriteRegistry(params (string Id, string Kind, bool Enabled)[] partners)
    {
        var path = Path.Combine(Dir, "partners.json");
        var items = partners.Select(p => $$"""{ "id": "{{p.Id}}", "kind": "{{p.Kind}}", "displayName": "{{p.Id}}", "enabled": {{(p.Enabled ? "true" : "false")}} }""");
        File.WriteAllText(path, "{ \"partners\": [\n" + string.Join(",\n", items) + "\n] }\n");
        return path;
    }

    private static readonly Lazy<X509Certificate2> ForeignCa = new(() =>
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=AntiFraud.Exchange DEV Issuing CA, O=AntiFraud.Exchange DEV", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddYears(1));
    });

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
