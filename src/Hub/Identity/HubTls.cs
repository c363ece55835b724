using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The loaded TLS material, and where it came from.</summary>
public sealed record HubTls(
    X509Certificate2 Server,
    X509Certificate2Collection ServerChain,
    X509Certificate2 ClientRoot,
    X509Certificate2Collection Intermediates,
    string? CrlPath,
    string CertificatePath = "",
    string ClientRootPath = "",
    string KeyPath = "");
