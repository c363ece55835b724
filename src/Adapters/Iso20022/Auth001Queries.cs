using System.Xml.Linq;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Adapters.Iso20022;

/// <summary>
/// Account queries (hub to bank) as ISO 20022 auth.001 InformationRequestOpening, one Document per
/// query. Investigation id = exchange id; the legal mandate, confidentiality and due date use the
/// message's own elements; the case details the message has no element for travel in SplmtryData.
/// </summary>
internal sealed class Auth001Queries : INativeTranslator<InboxItem>
{
    public const string Name = "iso20022";
    public static readonly XNamespace Ns = "urn:iso:std:iso:20022:tech:xsd:auth.001.001.01";
    public static readonly XNamespace Afx = "urn:afx:xsd:supl.001.01";

    internal static readonly CodeTable<LegalBasis> Bases = new(
        ("EMERGENCY_STOP_PAYMENT", LegalBasis.EmergencyStopPayment), ("CRIMINAL_INVESTIGATION", LegalBasis.CriminalInvestigation),
        ("PRELIMINARY_CHECK", LegalBasis.PreliminaryCheck), ("COURT_ORDER", LegalBasis.CourtOrder));

    internal static readonly CodeTable<Priority> Priorities = new(
        ("CRITICAL", Priority.Critical), ("HIGH", Priority.High), ("MEDIUM", Priority.Medium), ("LOW", Priority.Low));

    public NativeFormat Format { get; } = new(Name, ".xml", "ISO 20022 auth.001 (account queries) and auth.002 (their answers)");

    public IReadOnlyList<InboxItem> Read(ReadOnlySpan<byte> document)
    {
        var root = XmlDocumentReader.Load(document, Name, Ns, "Document");
        var opening = root.Required("InfReqOpng");
        var item = new InboxItem { ExchangeId = opening.Required("InvstgtnId", "exchange_id").Text };
        var query = new AccountQuery();
        var @case = new CaseRef
        {
            LegalReference = opening.Required("LglMndtBsis").Required("Prgrph", "case.legal_reference").Text,
            Confidential = opening.Required("CnfdtltySts", "case.confidential").Bool(),
        };

        if (opening.Optional("InvstgtnPrd")?.Required("DtTm") is { } period)
        {
            query.TransactionsFrom = period.Optional("FrDtTm", "account_query.transactions_from")?.DateTime();
            query.TransactionsTo = period.Optional("ToDtTm", "account_query.transactions_to")?.DateTime();
        }

        var account = opening.Required("SchCrit").Required("Acct");
        var id = account.Required("Id");
        query.Account = new AccountRef
        {
            AccountNumber = id.Required("Othr").Required("Id", "account_query.account.account_number").Text,
            AccountName = id.OptionalText("Nm", "account_query.account.account_name"),
            BankId = id.Required("Svcr").Required("FinInstnId").Required("Othr").Required("Id", "account_query.account.bank_id").Text,
        };
        foreach (var type in account.Children("AuthrtyReqTp").SelectMany(t => t.Children("ReqTp")))
        {
            var code = type.Required("Cd", "account_query.include_*");
            switch (code.Text)
            {
                case "HLDR": query.IncludeHolder = true; break;
                case "BALN": query.IncludeBalance = true; break;
                case "TRNS": query.IncludeTransactions = true; break;
                default: throw code.Error($"unknown request type '{code.Text}'; expected HLDR, BALN or TRNS");
            }
        }

        var afx = opening.Required("SplmtryData").Required("Envlp");
        var supplement = new XmlCursor(afx.Element.Element(Afx + "AfxCase") ?? throw afx.Error("the AfxCase supplement is missing"),
            afx.Path + "/AfxCase", Name, "");
        @case.CaseNumber = Child(supplement, "CaseNb", "case.case_number")?.Text ?? "";
        @case.LegalBasis = (Child(supplement, "LglBsis", "case.legal_basis") ?? throw supplement.Error("LglBsis is missing")).Code(Bases);
        @case.ApprovingOfficer = Child(supplement, "ApprvgOffcr", "case.approving_officer")?.Text ?? "";
        item.Case = @case;
        item.Priority = (Child(supplement, "Prty", "priority") ?? throw supplement.Error("Prty is missing")).Code(Priorities);
        item.From = new PartnerRef { Kind = PartnerKind.Police, Id = Child(supplement, "Sndr", "from.id")?.Text ?? "" };
        item.ParentExchangeId = Child(supplement, "PrntInvstgtnId", "parent_exchange_id")?.Text ?? "";
        item.SubmittedAt = Child(supplement, "SubmDtTm", "submitted_at")?.DateTime();
        item.Deadline = Child(supplement, "DdlnDtTm", "deadline")?.DateTime();
        item.Request = new Request { AccountQuery = query };
        return [item];
    }

    private static XmlCursor? Child(XmlCursor parent, string name, string canonical)
    {
        var child = parent.Element.Element(Afx + name);
        return child is null ? null : new XmlCursor(child, parent.Path + "/" + name, Name, canonical);
    }

    public byte[] Write(IReadOnlyList<InboxItem> messages)
    {
        if (messages.Count != 1)
        {
            throw new TranslationException(Name, "document", "Document",
                $"an auth.001 document holds one query; {messages.Count} were given");
        }

        var item = messages[0];
        if (item.Request?.KindCase != Request.KindOneofCase.AccountQuery)
        {
            throw new TranslationException(Name, $"item 1 ({item.ExchangeId})", "request",
                $"auth.001 carries account queries, not {item.Request?.KindCase}");
        }

        var query = item.Request.AccountQuery;
        var @case = item.Case ?? new CaseRef();
        if (!Bases.TryCode(@case.LegalBasis, out var basis)
            || !Priorities.TryCode(item.Priority == Priority.Unspecified ? Priority.Medium : item.Priority, out var priority))
        {
            throw new TranslationException(Name, $"item 1 ({item.ExchangeId})", "case.legal_basis", $"{@case.LegalBasis} has no code");
        }

        var types = new XElement(Ns + "AuthrtyReqTp", new XElement(Ns + "MsgNmId", "auth.002.001.01"));
        foreach (var (on, code) in new[] { (query.IncludeHolder, "HLDR"), (query.IncludeBalance, "BALN"), (query.IncludeTransactions,
            "TRNS") })
        {
            if (on)
            {
                types.Add(new XElement(Ns + "ReqTp", new XElement(Ns + "Cd", code)));
            }
        }

        var account = query.Account ?? new AccountRef();
        var opening = new XElement(Ns + "InfReqOpng",
            new XElement(Ns + "InvstgtnId", item.ExchangeId),
            new XElement(Ns + "LglMndtBsis", new XElement(Ns + "Prgrph", @case.LegalReference)),
            new XElement(Ns + "CnfdtltySts", @case.Confidential ? "true" : "false"),
            item.Deadline is null ? null : new XElement(Ns + "DueDt", new XElement(Ns + "DueDt",
                Canonical.ToLocal(item.Deadline).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))),
            query.TransactionsFrom is null && query.TransactionsTo is null ? null : new XElement(Ns + "InvstgtnPrd", new XElement(Ns
                + "DtTm",
                query.TransactionsFrom is null ? null : new XElement(Ns + "FrDtTm", Canonical.IsoDateTime(query.TransactionsFrom)),
                query.TransactionsTo is null ? null : new XElement(Ns + "ToDtTm", Canonical.IsoDateTime(query.TransactionsTo)))),
            new XElement(Ns + "SchCrit", new XElement(Ns + "Acct",
                new XElement(Ns + "Id",
                    new XElement(Ns + "Othr", new XElement(Ns + "Id", account.AccountNumber)),
                    account.AccountName.Length == 0 ? null : new XElement(Ns + "Nm", account.AccountName),
                    new XElement(Ns + "Svcr", new XElement(Ns + "FinInstnId", new XElement(Ns + "Othr", new XElement(Ns + "Id",
                        account.BankId))))),
                types)),
            new XElement(Ns + "SplmtryData", new XElement(Ns + "Envlp", new XElement(Afx + "AfxCase",
                new XAttribute(XNamespace.Xmlns + "afx", Afx.NamespaceName),
                new XElement(Afx + "CaseNb", @case.CaseNumber),
                new XElement(Afx + "LglBsis", basis),
                @case.ApprovingOfficer.Length == 0 ? null : new XElement(Afx + "ApprvgOffcr", @case.ApprovingOfficer),
                new XElement(Afx + "Prty", priority),
                new XElement(Afx + "Sndr", item.From?.Id ?? ""),
                item.ParentExchangeId.Length == 0 ? null : new XElement(Afx + "PrntInvstgtnId", item.ParentExchangeId),
                item.SubmittedAt is null ? null : new XElement(Afx + "SubmDtTm", Canonical.IsoDateTime(item.SubmittedAt)),
                item.Deadline is null ? null : new XElement(Afx + "DdlnDtTm", Canonical.IsoDateTime(item.Deadline))))));
        return XmlDocumentReader.Save(new XElement(Ns + "Document", opening), Auth001Queries.Name);
    }
}
