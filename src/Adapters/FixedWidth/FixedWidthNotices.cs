using System.Buffers;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf.WellKnownTypes;
using L = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Notice;
using V = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Return;

namespace AntiFraud.Exchange.Adapters.FixedWidth;

/// <summary>
/// Stop-payment, freeze, freeze-release and fund-return notices (hub to bank) as fixed-width N records; a fund return's N record
/// is followed by a V record with the victim's account and the return decision. Carries what a bank needs to act; the victim's
/// address, the transfer's channel, memo and IP, the case's approval time and follow-the-money settings are not in the layout.
/// </summary>
internal sealed class FixedWidthNotices(TimeProvider time) : INativeTranslator<InboxItem>
{
    private static readonly CodeTable<LegalBasis> Bases = new(
        ("01", LegalBasis.EmergencyStopPayment), ("02", LegalBasis.CriminalInvestigation), ("03", LegalBasis.PreliminaryCheck), ("04",
            LegalBasis.CourtOrder));

    public NativeFormat Format => FixedWidthFormat.Format;

    public IReadOnlyList<InboxItem> Read(ReadOnlySpan<byte> document)
    {
        var items = new List<InboxItem>();
        long total = 0;
        // A fund return's N record waits for its V record (the victim's account) before the next N record or the trailer.
        FundReturn? waiting = null;
        var waitingLine = 0;
        void RequireNoneWaiting(string at)
        {
            if (waiting is not null)
            {
                throw new TranslationException(FixedWidthFormat.Name, $"line {waitingLine}", L.Kind.Label,
                    $"a fund return (RT) must be followed by its V record (the victim's account); {at}");
            }
        }

        FixedWidthFormat.ReadFile(document, 'N', (record, layout) =>
        {
            switch (layout.Type)
            {
                case 'N':
                    RequireNoneWaiting($"line {record.Line} is the next N record");
                    var item = ReadNotice(record);
                    total += item.Request.KindCase switch
                    {
                        Request.KindOneofCase.StopPayment => item.Request.StopPayment.Amount?.MinorUnits ?? 0,
                        Request.KindOneofCase.Freeze => item.Request.Freeze.Amount?.MinorUnits ?? 0,
                        Request.KindOneofCase.FundReturn => item.Request.FundReturn.Amount?.MinorUnits ?? 0,
                        _ => 0,
                    };
                    items.Add(item);
                    (waiting, waitingLine) = (item.Request.FundReturn, record.Line);
                    break;
                case 'V':
                    if (waiting is null)
                    {
                        throw record.Error(V.RecType, "a V record must follow the fund return (RT) notice it belongs to");
                    }

                    ReadReturn(record, waiting, items[^1].ExchangeId);
                    waiting = null;
                    break;
                default:
                    throw record.Error(L.RecType, $"a notice file holds N and V records, not {layout.Type}");
            }
        }, () =>
        {
            RequireNoneWaiting("the file ends");
            return (items.Count, total);
        });
        return items;
    }

    private static void ReadReturn(FixedRecord r, FundReturn fundReturn, string exchangeId)
    {
        var id = r.Code(V.ExchangeId);
        if (id != exchangeId)
        {
            throw r.Error(V.ExchangeId, $"'{id}' differs from the notice above ('{exchangeId}')");
        }

        if (!r.IsBlank(V.TransferReference))
        {
            throw r.Error(V.TransferReference, "must be spaces in a notice; the bank gives it in its result");
        }

        var to = new AccountRef { BankId = r.Code(V.ToBank), AccountNumber = r.Text(V.ToAccount), AccountName = r.Text(V.ToName) };
        fundReturn.VictimAccount = to.BankId.Length + to.AccountNumber.Length + to.AccountName.Length == 0 ? null : to;
        fundReturn.DecisionReference = r.Text(V.Decision);
    }

    private static InboxItem ReadNotice(FixedRecord r)
    {
        var kindCode = r.Code(L.Kind);
        if (!FixedWidthFormat.Kinds.TryParse(kindCode, out var kind))
        {
            throw r.Error(L.Kind, $"unknown notice kind '{kindCode}'; expected {FixedWidthFormat.Kinds.Codes}");
        }

        var exchangeId = r.Code(L.ExchangeId);
        if (exchangeId.Length == 0)
        {
            throw r.Error(L.ExchangeId, "is required");
        }

        var priority = r.RequiredDigits(L.Priority);
        if (priority is < 1 or > 4)
        {
            throw r.Error(L.Priority, $"{priority} is not a priority; expected 1 to 4");
        }

        var item = new InboxItem
        {
            ExchangeId = exchangeId,
            ParentExchangeId = r.Code(L.ParentExchangeId),
            From = new PartnerRef { Kind = PartnerKind.Police, Id = r.Code(L.SenderId) },
            Priority = (Priority)priority,
            SubmittedAt = r.Timestamp(L.SubmittedDate, L.SubmittedTime),
            Deadline = r.Timestamp(L.DeadlineDate, L.DeadlineTime),
            Case = ReadCase(r),
        };

        var account = ReadAccount(r);
        var reason = r.Text(L.Reason);
        var related = r.Code(L.RelatedExchangeId);
        var period = r.Digits(L.PeriodSeconds) is { } seconds ? Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)) : null;
        switch (kind)
        {
            case Request.KindOneofCase.StopPayment:
                item.Request = new Request
                {
                    StopPayment = new StopPaymentNotice
                    {
                        Account = account, Amount = ReadAmount(r), Victim = ReadVictim(r), ReportedTransfer = ReadTransfer(r),
                        HoldPeriod = period, RenewsExchangeId = related, Reason = reason,
                    },
                };
                break;
            case Request.KindOneofCase.Freeze:
                if (related.Length > 0)
                {
                    throw r.Error(L.RelatedExchangeId, "must be spaces on a freeze (FZ)");
                }

                item.Request = new Request
                {
                    Freeze = new FreezeNotice
                    {
                        Account = account, Amount = ReadAmount(r), Victim = ReadVictim(r), ReportedTransfer = ReadTransfer(r),
                        FreezePeriod = period, Reason = reason,
                    },
                };
                break;
            case Request.KindOneofCase.FundReturn:
                if (related.Length == 0)
                {
                    throw r.Error(L.RelatedExchangeId, "a fund return (RT) names the stop-payment or freeze it pays out of");
                }

                foreach (var column in (ReadOnlySpan<Column>)[L.TransferId, L.TransferFen, L.PeriodSeconds])
                {
                    if (!r.IsBlank(column))
                    {
                        throw r.Error(column, "must be spaces on a fund return (RT)");
                    }
                }

                // The V record that follows fills in the victim's account and the decision.
                item.Request = new Request
                {
                    FundReturn = new FundReturn
                    {
                        HoldExchangeId = related, Account = account, Amount = ReadAmount(r), Victim = ReadVictim(r), Reason = reason,
                    },
                };
                break;
            default:
                if (related.Length == 0)
                {
                    throw r.Error(L.RelatedExchangeId, "a freeze release (FR) names the freeze it releases");
                }

                foreach (var column in (ReadOnlySpan<Column>)[L.AmountFen, L.VictimName, L.VictimId, L.VictimPhone, L.TransferId,
                    L.TransferFen, L.PeriodSeconds])
                {
                    if (!r.IsBlank(column))
                    {
                        throw r.Error(column, "must be spaces on a freeze release (FR)");
                    }
                }

                item.Request = new Request { FreezeRelease = new FreezeRelease { FreezeExchangeId = related, Account = account, Reason = reason } };
                break;
        }

        return item;
    }

    private static CaseRef ReadCase(FixedRecord r)
    {
        var basis = r.Code(L.LegalBasis);
        if (!Bases.TryParse(basis, out var legalBasis))
        {
            throw r.Error(L.LegalBasis, $"unknown legal basis '{basis}'; expected {Bases.Codes}");
        }

        var confidential = r.Code(L.Confidential) switch
        {
            "Y" => true,
            "N" => false,
            var other => throw r.Error(L.Confidential, $"'{other}': expected Y or N"),
        };
        return new CaseRef
        {
            CaseNumber = r.Code(L.CaseNumber),
            LegalBasis = legalBasis,
            LegalReference = r.Text(L.LegalReference),
            ApprovingOfficer = r.Text(L.ApprovingOfficer),
            Confidential = confidential,
        };
    }

    private static AccountRef? ReadAccount(FixedRecord r)
    {
        var account = new AccountRef { BankId = r.Code(L.BankId), AccountNumber = r.Text(L.AccountNumber), AccountName = r.Text(L.AccountName) };
        return account.BankId.Length + account.AccountNumber.Length + account.AccountName.Length == 0 ? null : account;
    }

    private static Money? ReadAmount(FixedRecord r) => ReadMoney(r, L.Currency, L.AmountFen);

    internal static Money? ReadMoney(FixedRecord r, Column currency, Column fen, bool currencyServesOthers = false)
    {
        var minor = r.Digits(fen);
        var code = r.Code(currency);
        if (minor is null)
        {
            return code.Length == 0 || currencyServesOthers ? null : throw r.Error(fen, $"is missing although {currency.Name} is '{code}'");
        }

        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper))
        {
            throw r.Error(currency, $"'{code}' is not an ISO 4217 currency code");
        }

        return new Money { Currency = code, MinorUnits = minor.Value };
    }

    private static Person? ReadVictim(FixedRecord r)
    {
        var name = r.Text(L.VictimName);
        var id = r.Text(L.VictimId);
        var phone = r.Text(L.VictimPhone);
        return name.Length + id.Length + phone.Length == 0
            ? null
            : new Person { Name = name, NationalId = id, Phone = phone.Length == 0 ? null : new PhoneNumber { E164 = phone } };
    }

    private static Transaction? ReadTransfer(FixedRecord r)
    {
        var transfer = new Transaction
        {
            TransactionId = r.Code(L.TransferId),
            BookedAt = r.Timestamp(L.TransferDate, L.TransferTime),
            Amount = ReadMoney(r, L.TransferCurrency, L.TransferFen),
        };
        var bank = r.Code(L.TransferFromBank);
        var account = r.Text(L.TransferFromAccount);
        if (bank.Length + account.Length > 0)
        {
            transfer.Counterparty = new AccountRef { BankId = bank, AccountNumber = account };
        }

        return transfer.TransactionId.Length == 0 && transfer.BookedAt is null && transfer.Amount is null
            && transfer.Counterparty is null ? null : transfer;
    }

    public byte[] Write(IReadOnlyList<InboxItem> messages)
    {
        var output = new ArrayBufferWriter<byte>((messages.Count + 2) * (L.Layout.Length + 2));
        FixedWidthFormat.WriteHeader(output, 'N', "afx-hub", time);
        long total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            total += WriteNotice(output, messages[i], $"item {i + 1} ({messages[i].ExchangeId})");
        }

        FixedWidthFormat.WriteTrailer(output, messages.Count, total);
        return output.WrittenSpan.ToArray();
    }

    private static long WriteNotice(IBufferWriter<byte> output, InboxItem item, string position)
    {
        var request = item.Request ?? new Request();
        if (!FixedWidthFormat.Kinds.TryCode(request.KindCase, out var kind))
        {
            throw new TranslationException(FixedWidthFormat.Name, position, "request",
                $"the fixed-width layout carries stop-payment, freeze, freeze-release and fund-return notices, not {request.KindCase}");
        }

        var w = new RecordWriter(L.Layout, position)
            .Code(L.Kind, kind)
            .Code(L.ExchangeId, item.ExchangeId)
            .Code(L.ParentExchangeId, item.ParentExchangeId)
            .Code(L.SenderId, item.From?.Id ?? "")
            .Digits(L.Priority, item.Priority == Priority.Unspecified ? (long)Priority.Medium : (long)item.Priority)
            .Timestamp(L.SubmittedDate, L.SubmittedTime, item.SubmittedAt)
            .Timestamp(L.DeadlineDate, L.DeadlineTime, item.Deadline);
        var @case = item.Case ?? new CaseRef();
        if (!Bases.TryCode(@case.LegalBasis, out var basis))
        {
            throw new TranslationException(FixedWidthFormat.Name, position, "LEGAL-BASIS (case.legal_basis)",
                $"{@case.LegalBasis} has no code");
        }

        w.Code(L.CaseNumber, @case.CaseNumber).Digits(L.LegalBasis, long.Parse(basis, System.Globalization.CultureInfo.InvariantCulture))
            .Text(L.LegalReference, @case.LegalReference).Text(L.ApprovingOfficer, @case.ApprovingOfficer).Code(L.Confidential,
                @case.Confidential ? "Y" : "N");

        AccountRef? account;
        Money? amount = null;
        switch (request.KindCase)
        {
            case Request.KindOneofCase.StopPayment:
                var sp = request.StopPayment;
                account = sp.Account;
                amount = sp.Amount;
                WriteCommon(w, sp.Amount, sp.Victim, sp.ReportedTransfer, sp.HoldPeriod);
                w.Code(L.RelatedExchangeId, sp.RenewsExchangeId).Text(L.Reason, sp.Reason, freeText: true);
                break;
            case Request.KindOneofCase.Freeze:
                var fz = request.Freeze;
                account = fz.Account;
                amount = fz.Amount;
                WriteCommon(w, fz.Amount, fz.Victim, fz.ReportedTransfer, fz.FreezePeriod);
                w.Text(L.Reason, fz.Reason, freeText: true);
                break;
            case Request.KindOneofCase.FundReturn:
                var rt = request.FundReturn;
                account = rt.Account;
                amount = rt.Amount;
                WriteCommon(w, rt.Amount, rt.Victim, null, null);
                w.Code(L.RelatedExchangeId, rt.HoldExchangeId).Text(L.Reason, rt.Reason, freeText: true);
                break;
            default:
                var fr = request.FreezeRelease;
                account = fr.Account;
                w.Code(L.RelatedExchangeId, fr.FreezeExchangeId).Text(L.Reason, fr.Reason, freeText: true);
                break;
        }

        if (account is not null)
        {
            w.Code(L.BankId, account.BankId).Text(L.AccountNumber, account.AccountNumber).Text(L.AccountName, account.AccountName);
        }

        w.WriteTo(output);
        if (request.KindCase == Request.KindOneofCase.FundReturn)
        {
            var rt = request.FundReturn;
            var v = new RecordWriter(V.Layout, position + ", its V record").Code(V.ExchangeId, item.ExchangeId).Text(V.Decision, rt.DecisionReference);
            if (rt.VictimAccount is { } to)
            {
                v.Code(V.ToBank, to.BankId).Text(V.ToAccount, to.AccountNumber).Text(V.ToName, to.AccountName);
            }

            v.WriteTo(output);
        }

        return amount?.MinorUnits ?? 0;
    }

    private static void WriteCommon(RecordWriter w, Money? amount, Person? victim, Transaction? transfer, Duration? period)
    {
        if (amount is not null)
        {
            w.Code(L.Currency, amount.Currency).Digits(L.AmountFen, amount.MinorUnits);
        }

        if (victim is not null)
        {
            w.Text(L.VictimName, victim.Name).Text(L.VictimId, victim.NationalId).Text(L.VictimPhone, victim.Phone?.E164 ?? "");
        }

        if (transfer is not null)
        {
            w.Code(L.TransferId, transfer.TransactionId).Timestamp(L.TransferDate, L.TransferTime, transfer.BookedAt);
            if (transfer.Amount is not null)
            {
                w.Code(L.TransferCurrency, transfer.Amount.Currency).Digits(L.TransferFen, transfer.Amount.MinorUnits);
            }

            if (transfer.Counterparty is not null)
            {
                w.Code(L.TransferFromBank, transfer.Counterparty.BankId).Text(L.TransferFromAccount, transfer.Counterparty.AccountNumber);
            }
        }

        if (period is not null)
        {
            w.Digits(L.PeriodSeconds, (long)period.ToTimeSpan().TotalSeconds);
        }
    }
}
