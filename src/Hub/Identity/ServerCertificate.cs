using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The hub's own certificate as presented in a handshake, with the chain sent beside it.</summary>
internal sealed record ServerCertificateMaterial(X509Certificate2 Certificate, SslStreamCertificateContext Context)
{
    public string Describe() => $"{Certificate.Subject}, serial {Certificate.SerialNumber}, valid until {Certificate.NotAfter.ToUniversalTime():u}";
}

/// <summary>
/// The hub's TLS certificate, re-read when its PEM chain or its private key changes: every handshake from then on presents the new
/// one, connections already open keep theirs, and no restart is needed. A pair that does not load (a key that does not match the
/// certificate, half-written files) or a certificate outside its validity period is refused and logged, and the certificate in force
/// stays; each change and refusal is audited through the configuration journal.
/// </summary>
internal sealed class ServerCertificate
{
    private readonly ReloadingFile<ServerCertificateMaterial> _file;

    public ServerCertificate(string certificatePath, string keyPath, TimeProvider time, ILogger<ServerCertificate> logger,
        ConfigurationJournal? journal = null)
    {
        _file = new ReloadingFile<ServerCertificateMaterial>(certificatePath, "Hub TLS certificate", pem => Load(pem, keyPath), time, logger,
            accept: (_, candidate) => Usable(candidate.Certificate, time.GetUtcNow()),
            journal: journal,
            describe: (old, candidate) => $"handshakes now present {candidate.Describe()} instead of serial {old.Certificate.SerialNumber}",
            companions: [keyPath]);
    }

    public ServerCertificateMaterial Current => _file.Current;

    public bool Refresh() => _file.Refresh();

    /// <summary>A certificate chain file (the leaf first, then its intermediates) and the leaf's private key, both PEM.</summary>
    public static ServerCertificateMaterial Load(byte[] chainPem, string keyPath)
    {
        var text = System.Text.Encoding.ASCII.GetString(chainPem);
        var leaf = X509Certificate2.CreateFromPem(text, File.ReadAllText(keyPath));
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(text);
        return new ServerCertificateMaterial(leaf, SslStreamCertificateContext.Create(leaf, chain, offline: true));
    }

    private static string? Usable(X509Certificate2 certificate, DateTimeOffset now) =>
        now.UtcDateTime < certificate.NotBefore.ToUniversalTime() ? $"the certificate is not valid before {certificate.NotBefore.ToUniversalTime():u}"
        : now.UtcDateTime > certificate.NotAfter.ToUniversalTime() ? $"the certificate expired at {certificate.NotAfter.ToUniversalTime():u}"
        : null;
}
