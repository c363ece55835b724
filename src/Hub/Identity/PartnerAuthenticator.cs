using AntiFraud.Exchange.Protocol.Clients;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>The outcome of authenticating a caller: a partner, or the reason it was refused.</summary>
public readonly record struct AuthenticationResult(PartnerIdentity? Partner, string? Refusal, string? Subject, string Kind = "")
{
    public bool Succeeded => Partner is not null;
}

/// <summary>
/// Decides who a client certificate belongs to. The chain must end at the hub's own root (custom root
/// trust, never the machine store). The chain is built once per connection's certificate and kept no
/// longer than the certificate lives; the validity period, the CRL and the partner registry are checked
/// on every call, so an expiry, a revocation or a disabled partner takes effect at once, even on an open
/// connection.
/// </summary>
internal sealed class PartnerAuthenticator(HubTls tls, CrlStore crl, PartnerRegistry registry, PartnerCertificates certificates,
    TimeProvider time)
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly ConditionalWeakTable<X509Certificate2, ChainCheck> _checked = [];

    public AuthenticationResult Authenticate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return Refuse("no client certificate was presented", null, "no-certificate");
        }

        var check = _checked.GetValue(certificate, BuildChain);
        var subject = check.Subject;
        if (check.Refusal is not null)
        {
            return Refuse(check.Refusal, subject, "chain");
        }

        if (crl.StaleRefusal() is { } stale)
        {
            return Refuse(stale, subject, "stale-crl");
        }

        if (!check.Recorded && check.Identity is { } named && registry.TryGet(named.Id, out _))
        {
            // Remembered even when refused below: a revoked certificate tells the hub its partner cannot collect.
            check.Recorded = true;
            certificates.Seen(named.Id, certificate.IssuerName.Name, certificate.SerialNumber, check.NotAfter);
        }

        var now = time.GetUtcNow();
        if (now < check.NotBefore)
        {
            return Refuse($"certificate is not valid before {check.NotBefore:u}", subject, "not-yet-valid");
        }

        if (now > check.NotAfter)
        {
            return Refuse($"certificate expired at {check.NotAfter:u}", subject, "expired");
        }

        if (crl.Current.IsRevoked(certificate))
        {
            return Refuse($"certificate serial {certificate.SerialNumber} is revoked", subject, "revoked");
        }

        var identity = check.Identity!;
        if (!registry.TryGet(identity.Id, out var entry))
        {
            return Refuse($"partner '{identity.Id}' is not registered with this hub", subject, "unregistered");
        }

        if (!entry.Enabled)
        {
            return Refuse($"partner '{identity.Id}' is disabled", subject, "disabled");
        }

        if (entry.Kind != identity.Kind)
        {
            return Refuse($"certificate names '{identity.Id}' a {PartnerIdentity.KindName(identity.Kind)}, but the registry lists a {PartnerIdentity.KindName(entry.Kind)}", subject, "kind-mismatch");
        }

        return new AuthenticationResult(identity, null, subject);
    }

    /// <summary>A refusal; <paramref name="kind"/> is one of a few fixed words (refusals are aggregated by peer and kind).</summary>
    private static AuthenticationResult Refuse(string reason, string? subject, string kind) => new(null, reason, subject, kind);

    /// <summary>
    /// Whether a certificate presented in the TLS handshake chains to the hub's root (with the clientAuth
    /// usage): outsiders are refused there, before any call. Returns the reason when it does not.
    /// </summary>
    public string? ChainRefusal(X509Certificate2 certificate) => _checked.GetValue(certificate, BuildChain) switch
    {
        { Refusal: { } refusal, Identity: null } when refusal.StartsWith("certificate must carry", StringComparison.Ordinal) => null,
        { Refusal: { } refusal } => refusal,
        _ => null,
    };

    private ChainCheck BuildChain(X509Certificate2 certificate)
    {
        // The subject is chosen by whoever made the certificate: bounded before it reaches a log or a reply.
        var subject = certificate.Subject.Length <= 200 ? certificate.Subject : certificate.Subject[..200] + "...";
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(tls.ClientRoot);
        policy.ExtraStore.AddRange(tls.Intermediates);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        // Validity periods are checked per call against the hub's clock, not cached here.
        policy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        policy.ApplicationPolicy.Add(ClientAuth);
        if (!chain.Build(certificate))
        {
            var statuses = chain.ChainStatus.Select(s => s.Status).Distinct().ToList();
            var reason = statuses.Contains(X509ChainStatusFlags.UntrustedRoot) || statuses.Contains(X509ChainStatusFlags.PartialChain)
                ? "certificate is not issued by this hub's certificate authority"
                : statuses.Contains(X509ChainStatusFlags.NotSignatureValid)
                    ? "certificate is not issued by this hub's certificate authority (its signature does not verify)"
                : statuses.Contains(X509ChainStatusFlags.NotValidForUsage)
                    ? "certificate is not valid for client authentication"
                    : "certificate chain is invalid: " + string.Join(", ", statuses);
            return new ChainCheck(subject, reason, null, default, default);
        }

        var notBefore = DateTimeOffset.MinValue;
        var notAfter = DateTimeOffset.MaxValue;
        foreach (var element in chain.ChainElements)
        {
            var nb = new DateTimeOffset(element.Certificate.NotBefore.ToUniversalTime());
            var na = new DateTimeOffset(element.Certificate.NotAfter.ToUniversalTime());
            notBefore = nb > notBefore ? nb : notBefore;
            notAfter = na < notAfter ? na : notAfter;
        }

        var identity = IdentityOf(certificate, out var refusal);
        return identity is null
            ? new ChainCheck(subject, refusal, null, default, default)
            : new ChainCheck(subject, null, identity, notBefore, notAfter);
    }

    /// <summary>The partner a certificate names (its one URI SAN urn:afx:partner:KIND:ID), or why it names none.</summary>
    public static PartnerIdentity? IdentityOf(X509Certificate2 certificate, out string? refusal)
    {
        var uris = PartnerNames.Uris(certificate).ToList();
        if (uris.Count != 1 || !PartnerIdentity.TryParseUri(uris[0], out var identity))
        {
            refusal = $"certificate must carry exactly one URI SAN '{PartnerIdentity.UriPrefix}<kind>:<id>' (found {uris.Count})";
            return null;
        }

        refusal = null;
        return identity;
    }

    private sealed record ChainCheck(string Subject, string? Refusal, PartnerIdentity? Identity, DateTimeOffset NotBefore,
        DateTimeOffset NotAfter)
    {
        /// <summary>Set once the certificate was noted in <see cref="PartnerCertificates"/>.</summary>
        public bool Recorded { get; set; }
    }
}
