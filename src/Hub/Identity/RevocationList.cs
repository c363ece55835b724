using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// An X.509 CRL (RFC 5280 §5), read with System.Formats.Asn1: the revoked serial numbers, the update
/// times, and a signature checked against the issuing CA before any of it is believed.
/// </summary>
internal sealed class RevocationList
{
    private readonly HashSet<string> _revoked;

    private RevocationList(HashSet<string> revoked, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, string issuer,
        BigInteger? number)
    {
        _revoked = revoked;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        Issuer = issuer;
        Number = number;
    }

    public static RevocationList Empty { get; } = new([], DateTimeOffset.MinValue, null, string.Empty, null);

    /// <summary>The CRL number (RFC 5280 §5.2.3): each list a CA issues has a higher one. Null when the list carries none.</summary>
    public BigInteger? Number { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public string Issuer { get; }

    public int Count => _revoked.Count;

    /// <summary>True when both lists revoke exactly the same serials of the same issuer.</summary>
    public bool SameEntries(RevocationList other) =>
        string.Equals(Issuer, other.Issuer, StringComparison.Ordinal) && _revoked.SetEquals(other._revoked);

    /// <summary>True when the certificate's serial is listed and it was issued by this CRL's issuer.</summary>
    public bool IsRevoked(X509Certificate2 certificate) => IsRevoked(certificate.IssuerName.Name, certificate.SerialNumber);

    /// <summary>True when the serial (hex, as X509Certificate2.SerialNumber gives it) of that issuer is listed.</summary>
    public bool IsRevoked(string issuer, string serialNumber) =>
        _revoked.Count > 0
        && string.Equals(issuer, Issuer, StringComparison.Ordinal)
        && _revoked.Contains(NormalizeSerial(serialNumber));

    /// <summary>Parses a PEM or DER CRL and verifies its signature with one of the CA certificates.</summary>
    public static RevocationList Parse(byte[] data, X509Certificate2Collection issuers)
    {
        var der = data;
        var text = System.Text.Encoding.ASCII.GetString(data);
        if (text.Contains("-----BEGIN X509 CRL-----", StringComparison.Ordinal))
        {
            var fields = PemEncoding.Find(text);
            der = Convert.FromBase64String(text[fields.Base64Data]);
        }

        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var certList = reader.ReadSequence();
        var tbsBytes = certList.PeekEncodedValue().ToArray();
        var tbs = certList.ReadSequence();
        var algorithm = certList.ReadSequence().ReadObjectIdentifier();
        var signature = certList.ReadBitString(out _);

        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger();
        }

        tbs.ReadSequence();
        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().ToArray());
        var thisUpdate = ReadTime(tbs);
        DateTimeOffset? nextUpdate = null;
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime)
            || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
        {
            nextUpdate = ReadTime(tbs);
        }

        var revoked = new HashSet<string>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                var serial = entry.ReadIntegerBytes().ToArray();
                revoked.Add(NormalizeSerial(Convert.ToHexString(serial)));
            }
        }

        BigInteger? number = null;
        var extensionsTag = new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(extensionsTag))
        {
            var extensions = tbs.ReadSequence(extensionsTag).ReadSequence();
            while (extensions.HasData)
            {
                var extension = extensions.ReadSequence();
                var oid = extension.ReadObjectIdentifier();
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    extension.ReadBoolean();
                }

                var value = extension.ReadOctetString();
                if (oid == "2.5.29.20")
                {
                    number = new AsnReader(value, AsnEncodingRules.DER).ReadInteger();
                }
            }
        }

        var signer = issuers.FirstOrDefault(c => string.Equals(c.SubjectName.Name, issuer.Name, StringComparison.Ordinal))
            ?? throw new CryptographicException($"The CRL is issued by '{issuer.Name}', which is not one of the hub's CAs.");
        if (!VerifySignature(signer, algorithm, tbsBytes, signature))
        {
            throw new CryptographicException($"The CRL's signature does not verify with '{issuer.Name}'.");
        }

        return new RevocationList(revoked, thisUpdate, nextUpdate, issuer.Name, number);
    }

    private static bool VerifySignature(X509Certificate2 signer, string algorithm, byte[] tbs, byte[] signature)
    {
        var hash = algorithm switch
        {
            "1.2.840.10045.4.3.2" or "1.2.840.113549.1.1.11" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" or "1.2.840.113549.1.1.12" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" or "1.2.840.113549.1.1.13" => HashAlgorithmName.SHA512,
            _ => throw new CryptographicException($"Unsupported CRL signature algorithm {algorithm}."),
        };

        using var ec = signer.GetECDsaPublicKey();
        if (ec is not null)
        {
            return ec.VerifyData(tbs, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = signer.GetRSAPublicKey()
            ?? throw new CryptographicException("The CRL issuer has neither an EC nor an RSA key.");
        return rsa.VerifyData(tbs, signature, hash, RSASignaturePadding.Pkcs1);
    }

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    /// <summary>Serials compare as hex without leading zeros.</summary>
    private static string NormalizeSerial(string hex)
    {
        var trimmed = hex.TrimStart('0').ToUpperInvariant();
        return trimmed.Length == 0 ? "0" : trimmed;
    }

    internal static BigInteger SerialOf(X509Certificate2 certificate) =>
        new(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true);
}
