using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>Who is calling, as read from the one URI SAN of the client certificate: urn:afx:partner:KIND:ID.</summary>
public sealed record PartnerIdentity(PartnerKind Kind, string Id)
{
    public const string UriPrefix = "urn:afx:partner:";

    public PartnerRef ToRef() => new() { Kind = Kind, Id = Id };

    public override string ToString() => $"{KindName(Kind)}:{Id}";

    public static string KindName(PartnerKind kind) => kind switch
    {
        PartnerKind.Police => "police",
        PartnerKind.Bank => "bank",
        PartnerKind.Carrier => "carrier",
        PartnerKind.Auditor => "auditor",
        _ => "unspecified",
    };

    public static bool TryParseKind(string? text, out PartnerKind kind)
    {
        kind = text switch
        {
            "police" => PartnerKind.Police,
            "bank" => PartnerKind.Bank,
            "carrier" => PartnerKind.Carrier,
            "auditor" => PartnerKind.Auditor,
            _ => PartnerKind.Unspecified,
        };
        return kind != PartnerKind.Unspecified;
    }

    /// <summary>Parses urn:afx:partner:KIND:ID.</summary>
    public static bool TryParseUri(string uri, out PartnerIdentity? identity)
    {
        identity = null;
        if (!uri.StartsWith(UriPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = uri.AsSpan(UriPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon <= 0 || !TryParseKind(rest[..colon].ToString(), out var kind))
        {
            return false;
        }

        var id = rest[(colon + 1)..].ToString();
        if (!IsValidId(id))
        {
            return false;
        }

        identity = new PartnerIdentity(kind, id);
        return true;
    }

    public static bool IsValidId(string id)
    {
        if (id.Length is < 2 or > 63 || !char.IsAsciiLetterLower(id[0]) && !char.IsAsciiDigit(id[0]))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
