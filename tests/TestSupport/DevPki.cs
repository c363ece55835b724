using System.Security.Cryptography.X509Certificates;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Net.Client;

namespace AntiFraud.Exchange.TestSupport;

/// <summary>The committed development PKI in certs-dev/, found by walking up from the test binaries.</summary>
public static class DevPki
{
    private static readonly Lazy<string> RootDir = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "certs-dev", "pki.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("certs-dev/pki.sh not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string RepoRoot => RootDir.Value;

    public static string CertsDir => Path.Combine(RepoRoot, "certs-dev");

    public static string RootCaPath => Path.Combine(CertsDir, "ca", "root.crt");

    public static string IssuingCaPath => Path.Combine(CertsDir, "ca", "issuing.crt");

    public static string ServerChainPath => Path.Combine(CertsDir, "hub", "hub-chain.crt");

    public static string ServerKeyPath => Path.Combine(CertsDir, "hub", "hub.key");

    public static string PartnerCertPath(string id) => Path.Combine(CertsDir, "partners", id + ".crt");

    public static string PartnerKeyPath(string id) => Path.Combine(CertsDir, "partners", id + ".key");

    public static X509Certificate2 RootCa() => X509CertificateLoader.LoadCertificateFromFile(RootCaPath);

    public static X509Certificate2 IssuingCa() => X509CertificateLoader.LoadCertificateFromFile(IssuingCaPath);

    public static X509Certificate2 ServerCertificate() => X509Certificate2.CreateFromPemFile(ServerChainPath, ServerKeyPath);

    public static X509Certificate2Collection ServerChain()
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(ServerChainPath);
        return chain;
    }

    /// <summary>
    /// Channel options trusting only the dev root CA and, unless null, presenting a sample partner's
    /// certificate. No automatic retries: tests see each answer as the hub gave it.
    /// </summary>
    public static GrpcChannelOptions ChannelOptions(string? partner)
    {
        var options = PartnerChannel.Options(retries: false).TrustOnly(RootCaPath);
        return partner is null ? options : options.UsePartnerCertificate(PartnerCertPath(partner), PartnerKeyPath(partner));
    }

    /// <summary>A program built beside the test binaries, in the same configuration (Debug or Release).</summary>
    public static string BuiltDll(string projectFolder, string dll)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepoRoot, projectFolder, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {projectFolder} first: {path}");
    }
}
