using System.Xml.Linq;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Adapters.Iso20022;

/// <summary>
/// Answers to account queries (bank to hub) as ISO 20022 auth.002 InformationRequestResponse. The
/// response status (RspnSts) and investigation status (InvstgtnSts) give the outcome; the account
/// report under Rslt is shaped on camt.052 (Bal, Ntry).
/// </summary>
internal sealed class Auth002Answers : INativeTranslator<RespondRequest>
{
    public static readonly XNamespace Ns = "urn:iso:std:iso:20022:tech:xsd:auth.002.001.01";

    private static readonly CodeTable<QueryStatus> Outcomes = new(
        ("FOUN", QueryStatus.Found), ("NFOU", QueryStatus.AccountNotFound), ("NOAP", QueryStatus.Rejected));

    private static readonly CodeTable<AccountState> States = new(
        ("ACTV", AccountState.Active), ("FROZ", AccountState.Frozen), ("CLSD", AccountState.Closed), ("DORM", AccountState.Dormant));

    private static readonly CodeTable<TransferDirection> Indicators = new(("DBIT", TransferDirection.Debit), ("CRDT",
        TransferDirection.Credit));

    public NativeFormat Format { get; } = new(Auth001Queries.Name, ".xml", "ISO 20022 auth.002 answers to account queries");

    public IReadOnlyList<RespondRequest> Read(ReadOnlySpan<byte> document)
    {
        var response = XmlDocumentReader.Load(document, Auth001Queries.Name, Ns, "Document").Required("InfReqRspn");
        var answer = new RespondRequest { ExchangeId = response.Required("InvstgtnId", "exchange_id").Text };
        var status = response.Required("RspnSts");
        var outcome = response.Required("RtrInd").Required("InvstgtnRslt");
        var reason = response.OptionalText("AddtlInf", "reason");
        switch (status.Text)
        {
            case "NRES":
                answer.RejectionReason = reason.Length > 0 ? reason : throw status.Error("a refusal (NRES) must give its reason in AddtlInf");
                return [answer];
            case "COMP":
                break;
            default:
                throw status.Error($"unknown response status '{status.Text}'; expected COMP (answered) or NRES (refused)");
        }

        var result = new AccountQueryResult
        {
            Status = outcome.Required("InvstgtnSts", "status").Code(Outcomes),
            Reason = reason,
        };
        if (outcome.Optional("Rslt")?.Required("Acct") is { } account)
        {
            result.AccountState = account.Optional("Sts", "account_state")?.Code(States) ?? AccountState.Unspecified;
            result.OpenedAt = account.Optional("OpngDt", "opened_at")?.DateTime();
            if (account.Optional("Ownr") is { } owner)
            {
                result.Holder = new Person
                {
                    Name = owner.OptionalText("Nm", "holder.name"),
                    NationalId = owner.Optional("Id")?.Required("PrvtId").Required("Othr").Required("Id", "holder.national_id").Text ?? "",
                    Address = owner.Optional("PstlAdr")?.OptionalText("AdrLine", "holder.address") ?? "",
                };
                if (owner.Optional("CtctDtls")?.Optional("PhneNb", "holder.phone.e164") is { } phone)
                {
                    result.Holder.Phone = new PhoneNumber { E164 = phone.Text };
                }
            }

            if (account.Optional("Bal") is { } balance)
            {
                var money = Amount(balance.Required("Amt", "balance"));
                if (balance.Required("CdtDbtInd", "balance").Code(Indicators) == TransferDirection.Debit)
                {
                    money.MinorUnits = -money.MinorUnits;
                }

                result.Balance = money;
            }

            foreach (var entry in account.Children("Ntry", "transactions[]"))
            {
                result.Transactions.Add(ReadEntry(entry));
            }
        }

        answer.Result = new Result { AccountQuery = result };
        return [answer];
    }

    private static Transaction ReadEntry(XmlCursor entry)
    {
        var transaction = new Transaction
        {
            TransactionId = entry.OptionalText("NtryRef", "transaction_id"),
            Amount = entry.Optional("Amt", "amount") is { } amount ? Amount(amount) : null,
            Direction = entry.Required("CdtDbtInd", "direction").Code(Indicators),
            BookedAt = entry.Optional("BookgDt")?.Required("DtTm", "booked_at").DateTime(),
            Channel = entry.OptionalText("Chanl", "channel"),
            Memo = entry.OptionalText("AddtlNtryInf", "memo"),
            CounterpartyIp = entry.OptionalText("IPAdr", "counterparty_ip"),
        };
        if (entry.Optional("RltdPties") is { } parties)
        {
            var account = parties.Optional("CtrPtyAcct");
            transaction.Counterparty = new AccountRef
            {
                AccountNumber = account?.Optional("Id")?.Required("Othr").Required("Id", "counterparty.account_number").Text ?? "",
                AccountName = account?.OptionalText("Nm", "counterparty.account_name") ?? "",
                BankId = parties.Optional("CtrPtyAgt")?.Required("FinInstnId").Required("Othr").Required("Id", "counterparty.bank_id").Text
                    ?? "",
            };
        }

        return transaction;
    }

    private static Money Amount(XmlCursor amount)
    {
        var currency = amount.Element.Attribute("Ccy")?.Value;
        if (currency is null || currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            throw amount.Error($"the Ccy attribute must be an ISO 4217 code; found '{currency}'");
        }

        if (amount.Text.StartsWith('-'))
        {
            throw amount.Error($"'{amount.Text}' is negative; amounts are unsigned and CdtDbtInd gives the direction");
        }

        return Canonical.MinorUnits(amount.Text, currency, out var problem) is { } minor
            ? new Money { Currency = currency, MinorUnits = minor }
            : throw amount.Error(problem!);
    }

    public byte[] Write(IReadOnlyList<RespondRequest> messages)
    {
        if (messages.Count != 1)
        {
            throw new TranslationException(Auth001Queries.Name, "document", "Document",
                $"an auth.002 document holds one answer; {messages.Count} were given");
        }

        var answer = messages[0];
        var position = $"item 1 ({answer.ExchangeId})";
        var response = new XElement(Ns + "InfReqRspn",
            new XElement(Ns + "RspnId", "R-" + answer.ExchangeId),
            new XElement(Ns + "InvstgtnId", answer.ExchangeId));
        if (answer.RejectionReason.Length > 0)
        {
            response.Add(new XElement(Ns + "RspnSts", "NRES"), new XElement(Ns + "AddtlInf", answer.RejectionReason),
                new XElement(Ns + "RtrInd", new XElement(Ns + "InvstgtnRslt", new XElement(Ns + "InvstgtnSts", "NOAP"))));
            return XmlDocumentReader.Save(new XElement(Ns + "Document", response), Auth001Queries.Name);
        }

        if (answer.Result?.KindCase != Result.KindOneofCase.AccountQuery)
        {
            throw new TranslationException(Auth001Queries.Name, position, "result",
                $"auth.002 carries account-query results, not {answer.Result?.KindCase}");
        }

        var result = answer.Result.AccountQuery;
        if (!Outcomes.TryCode(result.Status, out var outcome))
        {
            throw new TranslationException(Auth001Queries.Name, position, "InvstgtnSts (status)", $"{result.Status} has no code");
        }

        string? state = null;
        if (result.AccountState != AccountState.Unspecified && !States.TryCode(result.AccountState, out state))
        {
            throw new TranslationException(Auth001Queries.Name, position, "Sts (account_state)", $"{result.AccountState} has no code");
        }

        var account = new XElement(Ns + "Acct",
            state is null ? null : new XElement(Ns + "Sts", state),
            result.OpenedAt is null ? null : new XElement(Ns + "OpngDt", Canonical.IsoDateTime(result.OpenedAt)));
        if (result.Holder is { } holder)
        {
            account.Add(new XElement(Ns + "Ownr",
                new XElement(Ns + "Nm", holder.Name),
                holder.NationalId.Length == 0 ? null : new XElement(Ns + "Id", new XElement(Ns + "PrvtId", new XElement(Ns + "Othr",
                    new XElement(Ns + "Id", holder.NationalId), new XElement(Ns + "SchmeNm", new XElement(Ns + "Cd", "NIDN"))))),
                holder.Phone is null ? null : new XElement(Ns + "CtctDtls", new XElement(Ns + "PhneNb", holder.Phone.E164)),
                holder.Address.Length == 0 ? null : new XElement(Ns + "PstlAdr", new XElement(Ns + "AdrLine", holder.Address))));
        }

        if (result.Balance is { } balance)
        {
            account.Add(new XElement(Ns + "Bal", AmountElement(new Money { Currency = balance.Currency,
                MinorUnits = Math.Abs(balance.MinorUnits) }),
                new XElement(Ns + "CdtDbtInd", balance.MinorUnits < 0 ? "DBIT" : "CRDT")));
        }

        for (var i = 0; i < result.Transactions.Count; i++)
        {
            account.Add(WriteEntry(result.Transactions[i], $"{position}, transaction {i + 1}"));
        }

        response.Add(new XElement(Ns + "RspnSts", "COMP"),
            result.Reason.Length == 0 ? null : new XElement(Ns + "AddtlInf", result.Reason),
            new XElement(Ns + "RtrInd", new XElement(Ns + "InvstgtnRslt",
                new XElement(Ns + "Rslt", account),
                new XElement(Ns + "InvstgtnSts", outcome))));
        return XmlDocumentReader.Save(new XElement(Ns + "Document", response), Auth001Queries.Name);
    }

    private static XElement WriteEntry(Transaction t, string position)
    {
        if (!Indicators.TryCode(t.Direction, out var indicator))
        {
            throw new TranslationException(Auth001Queries.Name, position, "CdtDbtInd (direction)", $"{t.Direction} has no code");
        }

        if (t.Amount is { MinorUnits: < 0 })
        {
            throw new TranslationException(Auth001Queries.Name, position, "Amt (amount)", "is negative; give the direction instead");
        }

        return new XElement(Ns + "Ntry",
            t.TransactionId.Length == 0 ? null : new XElement(Ns + "NtryRef", t.TransactionId),
            t.Amount is null ? null : AmountElement(t.Amount),
            new XElement(Ns + "CdtDbtInd", indicator),
            t.BookedAt is null ? null : new XElement(Ns + "BookgDt", new XElement(Ns + "DtTm", Canonical.IsoDateTime(t.BookedAt))),
            t.Counterparty is not { } c ? null : new XElement(Ns + "RltdPties",
                new XElement(Ns + "CtrPtyAcct", new XElement(Ns + "Id", new XElement(Ns + "Othr", new XElement(Ns + "Id",
                    c.AccountNumber))),
                    c.AccountName.Length == 0 ? null : new XElement(Ns + "Nm", c.AccountName)),
                new XElement(Ns + "CtrPtyAgt", new XElement(Ns + "FinInstnId", new XElement(Ns + "Othr", new XElement(Ns + "Id",
                    c.BankId))))),
            t.Channel.Length == 0 ? null : new XElement(Ns + "Chanl", t.Channel),
            t.Memo.Length == 0 ? null : new XElement(Ns + "AddtlNtryInf", t.Memo),
            t.CounterpartyIp.Length == 0 ? null : new XElement(Ns + "IPAdr", t.CounterpartyIp));
    }

    private static XElement AmountElement(Money money) =>
        new(Ns + "Amt", new XAttribute("Ccy", money.Currency), Canonical.MajorUnits(money.MinorUnits, money.Currency));
}
