using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// Validates a partner's client certificate during the TLS handshake: the chain must end at the hub's
/// own root CA (custom root trust; the machine store is never consulted) and every certificate must be
/// within its validity period.
/// </summary>
internal sealed class ClientCertificateValidator(X509Certificate2 root, X509Certificate2Collection intermediates, TimeProvider timeProvider)
{
    public bool Validate(X509Certificate2 certificate, X509Chain? _, SslPolicyErrors __) => Check(certificate).Valid;

    public (bool Valid, string Reason) Check(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(root);
        policy.ExtraStore.AddRange(intermediates);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.VerificationTime = timeProvider.GetLocalNow().DateTime;
        policy.VerificationTimeIgnored = false;
        policy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        if (chain.Build(certificate))
        {
            return (true, "valid");
        }

        var reasons = chain.ChainStatus.Select(s => s.Status.ToString()).Distinct();
        return (false, string.Join(",", reasons));
    }
}
