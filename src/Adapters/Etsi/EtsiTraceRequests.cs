using System.Xml;
using System.Xml.Linq;
using AntiFraud.Exchange.Adapters.Iso20022;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Adapters.Etsi;

/// <summary>Call-source trace requests (hub to carrier) as an ETSI TS 102 657 requestMessage, one per document.</summary>
internal sealed class EtsiTraceRequests(string countryCode) : INativeTranslator<InboxItem>
{
    private static readonly CodeTable<CommunicationKind> Kinds = new(("voice", CommunicationKind.VoiceCall), ("sms",
        CommunicationKind.Sms));

    public NativeFormat Format => RetainedData.Format;

    public IReadOnlyList<InboxItem> Read(ReadOnlySpan<byte> document)
    {
        var message = XmlDocumentReader.Load(document, RetainedData.Name, RetainedData.Ns,
            "RetainedDataMessage").Required("requestMessage");
        var (organisation, exchangeId) = RetainedData.ReadRequestId(message);
        var criteria = message.Required("requestParameters").Required("requestCriteria");
        var authorisation = message.Required("authorisation");
        var trace = new CallTraceRequest
        {
            CalledNumber = RetainedData.Number(criteria.Optional("calledPartyNumber", "call_trace.called_number")),
            PresentedNumber = RetainedData.Number(criteria.Optional("presentedPartyNumber", "call_trace.presented_number")),
            CallTime = criteria.Optional("communicationTime", "call_trace.call_time")?.DateTime(),
            Window = criteria.Optional("searchWindow", "call_trace.window")?.Duration(),
            Kind = criteria.Optional("communicationKind", "call_trace.kind")?.Code(Kinds) ?? CommunicationKind.Unspecified,
        };
        return
        [
            new InboxItem
            {
                ExchangeId = exchangeId,
                From = new PartnerRef { Kind = PartnerKind.Police, Id = organisation },
                Priority = message.Required("requestPriority", "priority").Code(Auth001Queries.Priorities),
                SubmittedAt = message.Optional("timeStamp", "submitted_at")?.DateTime(),
                Deadline = message.Optional("deliveryDeadline", "deadline")?.DateTime(),
                ParentExchangeId = message.OptionalText("relatedRequestNumber", "parent_exchange_id"),
                Case = new CaseRef
                {
                    CaseNumber = authorisation.OptionalText("caseNumber", "case.case_number"),
                    LegalBasis = authorisation.Required("legalBasis", "case.legal_basis").Code(Auth001Queries.Bases),
                    LegalReference = authorisation.OptionalText("legalReference", "case.legal_reference"),
                    ApprovingOfficer = authorisation.OptionalText("approvingOfficer", "case.approving_officer"),
                    Confidential = authorisation.Required("confidential", "case.confidential").Bool(),
                },
                Request = new Request { CallTrace = trace },
            },
        ];
    }

    public byte[] Write(IReadOnlyList<InboxItem> messages)
    {
        if (messages.Count != 1)
        {
            throw new TranslationException(RetainedData.Name, "document", "RetainedDataMessage",
                $"a request message holds one request; {messages.Count} were given");
        }

        var item = messages[0];
        var position = $"item 1 ({item.ExchangeId})";
        if (item.Request?.KindCase != Request.KindOneofCase.CallTrace)
        {
            throw new TranslationException(RetainedData.Name, position, "request",
                $"the retained-data request carries call-source traces, not {item.Request?.KindCase}");
        }

        var trace = item.Request.CallTrace;
        var @case = item.Case ?? new CaseRef();
        string? kind = null;
        if (!Auth001Queries.Bases.TryCode(@case.LegalBasis, out var basis)
            || !Auth001Queries.Priorities.TryCode(item.Priority == Priority.Unspecified ? Priority.Medium : item.Priority, out var priority)
            || (trace.Kind != CommunicationKind.Unspecified && !Kinds.TryCode(trace.Kind, out kind)))
        {
            throw new TranslationException(RetainedData.Name, position, "legalBasis, requestPriority or communicationKind",
                "a value has no code");
        }

        var ns = RetainedData.Ns;
        var request = new XElement(ns + "requestMessage",
            RetainedData.RequestId(countryCode, item.From?.Id ?? "", item.ExchangeId),
            item.SubmittedAt is null ? null : new XElement(ns + "timeStamp", Canonical.IsoDateTime(item.SubmittedAt)),
            new XElement(ns + "requestPriority", priority),
            item.Deadline is null ? null : new XElement(ns + "deliveryDeadline", Canonical.IsoDateTime(item.Deadline)),
            item.ParentExchangeId.Length == 0 ? null : new XElement(ns + "relatedRequestNumber", item.ParentExchangeId),
            new XElement(ns + "authorisation",
                new XElement(ns + "caseNumber", @case.CaseNumber),
                new XElement(ns + "legalBasis", basis),
                @case.LegalReference.Length == 0 ? null : new XElement(ns + "legalReference", @case.LegalReference),
                @case.ApprovingOfficer.Length == 0 ? null : new XElement(ns + "approvingOfficer", @case.ApprovingOfficer),
                new XElement(ns + "confidential", @case.Confidential ? "true" : "false")),
            new XElement(ns + "requestParameters", new XElement(ns + "requestCriteria",
                RetainedData.Number("calledPartyNumber", trace.CalledNumber),
                RetainedData.Number("presentedPartyNumber", trace.PresentedNumber),
                trace.CallTime is null ? null : new XElement(ns + "communicationTime", Canonical.IsoDateTime(trace.CallTime)),
                trace.Window is null ? null : new XElement(ns + "searchWindow", XmlConvert.ToString(trace.Window.ToTimeSpan())),
                kind is null ? null : new XElement(ns + "communicationKind", kind))));
        return XmlDocumentReader.Save(new XElement(ns + "RetainedDataMessage", request), RetainedData.Name);
    }
}
