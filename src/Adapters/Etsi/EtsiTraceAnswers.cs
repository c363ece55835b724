using System.Xml.Linq;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Adapters.Etsi;

/// <summary>
/// Call-source trace results (carrier to hub) as an ETSI TS 102 657 responseMessage: one
/// retainedDataRecord per leg of the call, with the party information seen on that leg.
/// </summary>
internal sealed class EtsiTraceAnswers(string countryCode, string carrierId) : INativeTranslator<RespondRequest>
{
    private const string Refused = "requestRefused";

    private static readonly CodeTable<TraceStatus> Statuses = new(
        ("responseComplete", TraceStatus.Found), ("responseIncomplete", TraceStatus.Partial));

    private static readonly CodeTable<TraceStatus> Failures = new(("no-data-found", TraceStatus.NotFound), ("request-rejected",
        TraceStatus.Rejected));

    public NativeFormat Format => RetainedData.Format;

    public IReadOnlyList<RespondRequest> Read(ReadOnlySpan<byte> document)
    {
        var message = XmlDocumentReader.Load(document, RetainedData.Name, RetainedData.Ns,
            "RetainedDataMessage").Required("responseMessage");
        var (_, exchangeId) = RetainedData.ReadRequestId(message);
        var answer = new RespondRequest { ExchangeId = exchangeId };
        var statusElement = message.Required("responseStatus", "status");
        var status = statusElement.Element.Elements().FirstOrDefault()
            ?? throw statusElement.Error("must hold one of responseComplete, responseIncomplete, responseFailed, requestRefused");
        var reason = message.OptionalText("statusText", "reason");
        var result = new CallTraceResult { Reason = reason };
        var statusCursor = new XmlCursor(status, statusElement.Path + "/" + status.Name.LocalName, RetainedData.Name, "status");
        if (status.Name.LocalName == Refused)
        {
            answer.RejectionReason = reason.Length > 0 ? reason : throw statusCursor.Error("a refusal must give its reason in statusText");
            return [answer];
        }

        if (Statuses.TryParse(status.Name.LocalName, out var found))
        {
            result.Status = found;
        }
        else if (status.Name.LocalName == "responseFailed")
        {
            result.Status = statusCursor.Required("failureCode", "status").Code(Failures);
        }
        else
        {
            throw statusCursor.Error($"unknown response status '{status.Name.LocalName}'; expected responseComplete, responseIncomplete, responseFailed or {Refused}");
        }

        result.CallerIdSpoofed = message.Optional("callerIdSpoofed", "caller_id_spoofed")?.Bool() ?? false;
        foreach (var record in message.Optional("responseRecords")?.Children("retainedDataRecord") ?? [])
        {
            result.Hops.Add(ReadHop(record));
        }

        answer.Result = new Result { CallTrace = result };
        return [answer];
    }

    private static CallHop ReadHop(XmlCursor record)
    {
        var usage = record.Required("telephonyServiceUsage");
        var network = usage.Required("networkInformation");
        var party = usage.Required("partyInformation");
        var role = party.Required("partyRole");
        if (role.Text != "originating-Party")
        {
            throw role.Error($"'{role.Text}': a trace leg records the originating-Party");
        }

        return new CallHop
        {
            Sequence = record.Required("recordNumber", "hops[].sequence").UInt(),
            SeenAt = usage.Optional("communicationTime", "hops[].seen_at")?.DateTime(),
            Network = network.OptionalText("networkID", "hops[].network"),
            Gateway = network.OptionalText("gatewayID", "hops[].gateway"),
            Trunk = network.OptionalText("trunkID", "hops[].trunk"),
            CountryOfEntry = network.OptionalText("countryOfEntry", "hops[].country_of_entry"),
            PresentedNumber = RetainedData.Number(party.Optional("presentedNumber", "hops[].presented_number")),
            OriginalNumber = RetainedData.Number(party.Optional("originalNumber", "hops[].original_number")),
            CallerIdSpoofed = party.Optional("callerIdSpoofed", "hops[].caller_id_spoofed")?.Bool() ?? false,
            Imsi = party.OptionalText("imsi", "hops[].imsi"),
            Imei = party.OptionalText("imei", "hops[].imei"),
            IpAddress = party.OptionalText("ipAddress", "hops[].ip_address"),
            LocationArea = party.Optional("location")?.OptionalText("locationArea", "hops[].location_area") ?? "",
        };
    }

    public byte[] Write(IReadOnlyList<RespondRequest> messages)
    {
        if (messages.Count != 1)
        {
            throw new TranslationException(RetainedData.Name, "document", "RetainedDataMessage",
                $"a response message holds one answer; {messages.Count} were given");
        }

        var answer = messages[0];
        var ns = RetainedData.Ns;
        var response = new XElement(ns + "responseMessage", RetainedData.RequestId(countryCode, carrierId, answer.ExchangeId));
        if (answer.RejectionReason.Length > 0)
        {
            response.Add(new XElement(ns + "responseStatus", new XElement(ns + Refused)), new XElement(ns + "statusText",
                answer.RejectionReason));
            return XmlDocumentReader.Save(new XElement(ns + "RetainedDataMessage", response), RetainedData.Name);
        }

        if (answer.Result?.KindCase != Result.KindOneofCase.CallTrace)
        {
            throw new TranslationException(RetainedData.Name, $"item 1 ({answer.ExchangeId})", "result",
                $"the retained-data response carries call-trace results, not {answer.Result?.KindCase}");
        }

        var result = answer.Result.CallTrace;
        XElement status;
        if (Statuses.TryCode(result.Status, out var code))
        {
            status = new XElement(ns + code);
        }
        else if (Failures.TryCode(result.Status, out var failure))
        {
            status = new XElement(ns + "responseFailed", new XElement(ns + "failureCode", failure));
        }
        else
        {
            throw new TranslationException(RetainedData.Name, $"item 1 ({answer.ExchangeId})", "responseStatus (status)",
                $"{result.Status} has no code");
        }

        response.Add(new XElement(ns + "responseStatus", status),
            result.Reason.Length == 0 ? null : new XElement(ns + "statusText", result.Reason),
            new XElement(ns + "callerIdSpoofed", result.CallerIdSpoofed ? "true" : "false"),
            new XElement(ns + "responseRecords", result.Hops.Select(hop => new XElement(ns + "retainedDataRecord",
                new XElement(ns + "recordNumber", hop.Sequence),
                new XElement(ns + "telephonyServiceUsage",
                    hop.SeenAt is null ? null : new XElement(ns + "communicationTime", Canonical.IsoDateTime(hop.SeenAt)),
                    new XElement(ns + "networkInformation",
                        Text("networkID", hop.Network), Text("gatewayID", hop.Gateway), Text("trunkID", hop.Trunk), Text("countryOfEntry",
                            hop.CountryOfEntry)),
                    new XElement(ns + "partyInformation",
                        new XElement(ns + "partyRole", "originating-Party"),
                        RetainedData.Number("presentedNumber", hop.PresentedNumber),
                        RetainedData.Number("originalNumber", hop.OriginalNumber),
                        new XElement(ns + "callerIdSpoofed", hop.CallerIdSpoofed ? "true" : "false"),
                        Text("imsi", hop.Imsi), Text("imei", hop.Imei), Text("ipAddress", hop.IpAddress),
                        hop.LocationArea.Length == 0 ? null : new XElement(ns + "location", new XElement(ns + "locationArea",
                            hop.LocationArea))))))));
        return XmlDocumentReader.Save(new XElement(ns + "RetainedDataMessage", response), RetainedData.Name);
    }

    private static XElement? Text(string name, string value) => value.Length == 0 ? null : new XElement(RetainedData.Ns + name, value);
}
