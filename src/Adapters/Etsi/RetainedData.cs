using System.Xml.Linq;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Adapters.Etsi;

/// <summary>What the two ETSI TS 102 657 translators share: the namespace and the request id.</summary>
internal static class RetainedData
{
    public const string Name = "etsi-102657";
    public static readonly XNamespace Ns = "http://uri.etsi.org/02657/v1.18.1#/RetainedData";
    public static readonly NativeFormat Format = new(Name, ".xml",
        "carrier retained-data XML shaped on ETSI TS 102 657 (call-source traces)");

    /// <summary>requestID = country code + authorised organisation + request number (the exchange id).</summary>
    public static XElement RequestId(string countryCode, string organisation, string exchangeId) =>
        new(Ns + "requestID",
            new XElement(Ns + "countryCode", countryCode),
            new XElement(Ns + "authorisedOrganisationID", organisation),
            new XElement(Ns + "requestNumber", exchangeId));

    public static (string Organisation, string ExchangeId) ReadRequestId(XmlCursor message)
    {
        var id = message.Required("requestID");
        var country = id.Required("countryCode");
        if (country.Text.Length != 2 || !country.Text.All(char.IsAsciiLetterUpper))
        {
            throw country.Error($"'{country.Text}' is not an ISO 3166-1 alpha-2 country code");
        }

        var number = id.Required("requestNumber", "exchange_id");
        if (number.Text.Length == 0)
        {
            throw number.Error("is empty");
        }

        return (id.Required("authorisedOrganisationID", "from.id").Text, number.Text);
    }

    public static PhoneNumber? Number(XmlCursor? element) => element is null ? null : new PhoneNumber { E164 = element.Text };

    public static XElement? Number(string name, PhoneNumber? number) => number is null ? null : new XElement(Ns + name, number.E164);
}
