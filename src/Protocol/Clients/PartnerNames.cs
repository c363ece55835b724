using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace AntiFraud.Exchange.Protocol.Clients;

/// <summary>
/// The partner a certificate names: its URI subject alternative names urn:afx:partner:KIND:ID. Read by the
/// hub to identify a caller, and by the bridge to know which role it plays.
/// </summary>
public static class PartnerNames
{
    public const string UriPrefix = "urn:afx:partner:";

    /// <summary>Every partner URI SAN of the certificate (a valid partner certificate has exactly one).</summary>
    public static IEnumerable<string> Uris(X509Certificate2 certificate)
    {
        // GeneralNames ::= SEQUENCE OF GeneralName; uniformResourceIdentifier is [6] IA5String (implicit).
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }

            var names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (names.HasData)
            {
                if (names.PeekTag().HasSameClassAndValue(uriTag))
                {
                    var name = names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag);
                    if (name.StartsWith(UriPrefix, StringComparison.Ordinal))
                    {
                        yield return name;
                    }
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
    }

    /// <summary>The kind (police, bank, carrier, auditor) the certificate's one partner URI names, or null.</summary>
    public static string? KindOf(X509Certificate2 certificate)
    {
        var uris = Uris(certificate).ToList();
        var parts = uris.Count == 1 ? uris[0][UriPrefix.Length..].Split(':') : [];
        return parts.Length == 2 ? parts[0] : null;
    }
}
