using System.Buffers;
using System.Globalization;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using L = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Result;
using O = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Onward;
using V = AntiFraud.Exchange.Adapters.FixedWidth.FixedWidthLayout.Return;

namespace AntiFraud.Exchange.Adapters.FixedWidth;

/// <summary>
/// A bank's results (bank to hub) as fixed-width R records, each followed by its onward transfers as O
/// records (a fund return's by a V record with the bank's transfer reference, when it has one). Status 99 refuses the notice
/// instead of answering it.
/// </summary>
internal sealed class FixedWidthResults(TimeProvider time, string sender) : INativeTranslator<RespondRequest>
{
    public const string RefusedCode = "99";

    public static readonly CodeTable<HoldStatus> HoldCodes = new(
        ("00", HoldStatus.Executed), ("01", HoldStatus.Partial), ("10", HoldStatus.AccountNotFound),
        ("11", HoldStatus.AccountClosed), ("12", HoldStatus.InsufficientBalance), ("90", HoldStatus.Rejected));

    public static readonly CodeTable<ReleaseStatus> ReleaseCodes = new(
        ("00", ReleaseStatus.Released), ("20", ReleaseStatus.NotFrozen), ("90", ReleaseStatus.Rejected));

    public static readonly CodeTable<ReturnStatus> ReturnCodes = new(
        ("00", ReturnStatus.Returned), ("01", ReturnStatus.Partial), ("30", ReturnStatus.NotHeld), ("90", ReturnStatus.Rejected));

    private static readonly CodeTable<TransferDirection> Directions = new(("D", TransferDirection.Debit), ("C", TransferDirection.Credit));

    public NativeFormat Format => FixedWidthFormat.Format;

    public IReadOnlyList<RespondRequest> Read(ReadOnlySpan<byte> document)
    {
        var answers = new List<RespondRequest>();
        long total = 0;
        HoldResult? open = null;
        FundReturnResult? returned = null;
        var expected = 0;
        var openLine = 0;
        string openId = "";
        // The result above must have had as many O records as it declared: checked at the next R record and at the trailer.
        void CloseOpen(string checkedAt)
        {
            if (open is not null && open.OnwardTransfers.Count != expected)
            {
                throw new TranslationException(FixedWidthFormat.Name, $"line {openLine}, column {L.OnwardCount.Start}", L.OnwardCount.Label,
                    $"declares {expected} onward transfers; {open.OnwardTransfers.Count} O records follow{checkedAt}");
            }

            open = null;
        }

        FixedWidthFormat.ReadFile(document, 'R', (record, layout) =>
        {
            switch (layout.Type)
            {
                case 'R':
                    CloseOpen($" (checked at line {record.Line})");
                    var answer = ReadResult(record, out var onward);
                    total += record.Digits(L.AmountFen) ?? 0;
                    answers.Add(answer);
                    open = answer.Result?.StopPayment ?? answer.Result?.Freeze;
                    returned = answer.Result?.FundReturn;
                    expected = onward;
                    openLine = record.Line;
                    openId = answer.ExchangeId;
                    if (open is null && onward > 0)
                    {
                        throw record.Error(L.OnwardCount, "only a stop-payment or freeze result has onward transfers");
                    }

                    break;
                case 'O':
                    if (open is null)
                    {
                        throw record.Error(O.RecType, "an onward transfer (O) must follow the result (R) it belongs to");
                    }

                    ReadOnward(record, open, openId);
                    break;
                case 'V':
                    if (returned is null)
                    {
                        throw record.Error(V.RecType, "a V record must follow the fund return (RT) result it belongs to");
                    }

                    ReadTransferReference(record, returned, openId);
                    returned = null;
                    break;
                default:
                    throw record.Error(L.RecType, $"a result file holds R, O and V records, not {layout.Type}");
            }
        }, () =>
        {
            CloseOpen("");
            return (answers.Count, total);
        });
        return answers;
    }

    private static RespondRequest ReadResult(FixedRecord r, out int onward)
    {
        var kindCode = r.Code(L.Kind);
        if (!FixedWidthFormat.Kinds.TryParse(kindCode, out var kind))
        {
            throw r.Error(L.Kind, $"unknown notice kind '{kindCode}'; expected {FixedWidthFormat.Kinds.Codes}");
        }

        var answer = new RespondRequest { ExchangeId = r.Code(L.ExchangeId) };
        if (answer.ExchangeId.Length == 0)
        {
            throw r.Error(L.ExchangeId, "is required");
        }

        onward = (int)(r.Digits(L.OnwardCount) ?? 0);
        var status = r.Code(L.Status);
        var reason = r.Text(L.Reason);
        if (status == RefusedCode)
        {
            if (reason.Length == 0)
            {
                throw r.Error(L.Reason, "a refusal (status 99) must give its reason");
            }

            answer.RejectionReason = reason;
            return answer;
        }

        // CURRENCY also serves BALANCE-FEN, so it may stand without AMOUNT-FEN.
        var amount = FixedWidthNotices.ReadMoney(r, L.Currency, L.AmountFen, currencyServesOthers: true);
        var executed = r.Timestamp(L.ExecutedDate, L.ExecutedTime);
        if (kind == Request.KindOneofCase.FreezeRelease)
        {
            if (!ReleaseCodes.TryParse(status, out var release))
            {
                throw r.Error(L.Status, $"unknown release status '{status}'; expected {ReleaseCodes.Codes} or {RefusedCode}");
            }

            answer.Result = new Result { FreezeRelease = new FreezeReleaseResult { Status = release, Reason = reason, ReleasedAt = executed, AmountReleased = amount } };
            return answer;
        }

        if (kind == Request.KindOneofCase.FundReturn)
        {
            if (!ReturnCodes.TryParse(status, out var returnStatus))
            {
                throw r.Error(L.Status, $"unknown return status '{status}'; expected {ReturnCodes.Codes} or {RefusedCode}");
            }

            answer.Result = new Result { FundReturn = new FundReturnResult { Status = returnStatus, Reason = reason, ReturnedAt = executed, AmountReturned = amount } };
            return answer;
        }

        if (!HoldCodes.TryParse(status, out var hold))
        {
            throw r.Error(L.Status, $"unknown hold status '{status}'; expected {HoldCodes.Codes} or {RefusedCode}");
        }

        var result = new HoldResult
        {
            Status = hold,
            Reason = reason,
            AmountHeld = amount,
            ExecutedAt = executed,
            HoldExpiresAt = r.Timestamp(L.ExpiresDate, L.ExpiresTime),
            BalanceAfter = ReadBalance(r),
        };
        answer.Result = kind == Request.KindOneofCase.StopPayment ? new Result { StopPayment = result } : new Result { Freeze = result };
        return answer;
    }

    private static Money? ReadBalance(FixedRecord r)
    {
        var sign = r.Code(L.BalanceSign);
        var fen = r.Digits(L.BalanceFen);
        if (sign.Length == 0 && fen is null)
        {
            return null;
        }

        if (sign is not ("+" or "-"))
        {
            throw r.Error(L.BalanceSign, $"'{sign}': expected + or - when BALANCE-FEN is given");
        }

        if (fen is null)
        {
            throw r.Error(L.BalanceFen, "is missing although BALANCE-SIGN is given");
        }

        var currency = r.Code(L.Currency);
        if (currency.Length != 3)
        {
            throw r.Error(L.Currency, "is required when a balance is given");
        }

        return new Money { Currency = currency, MinorUnits = sign == "-" ? -fen.Value : fen.Value };
    }

    private static void ReadTransferReference(FixedRecord r, FundReturnResult returned, string exchangeId)
    {
        var id = r.Code(V.ExchangeId);
        if (id != exchangeId)
        {
            throw r.Error(V.ExchangeId, $"'{id}' differs from the result above ('{exchangeId}')");
        }

        foreach (var column in (ReadOnlySpan<Column>)[V.ToBank, V.ToAccount, V.ToName, V.Decision])
        {
            if (!r.IsBlank(column))
            {
                throw r.Error(column, "must be spaces in a result; a result's V record gives only the transfer reference");
            }
        }

        returned.TransferReference = r.Code(V.TransferReference);
    }

    private static void ReadOnward(FixedRecord r, HoldResult open, string exchangeId)
    {
        var id = r.Code(O.ExchangeId);
        if (id != exchangeId)
        {
            throw r.Error(O.ExchangeId, $"'{id}' differs from the result above ('{exchangeId}')");
        }

        var sequence = r.RequiredDigits(O.Sequence);
        if (sequence != open.OnwardTransfers.Count + 1)
        {
            throw r.Error(O.Sequence, $"{sequence}: expected {open.OnwardTransfers.Count + 1}");
        }

        var directionCode = r.Code(O.Direction);
        if (!Directions.TryParse(directionCode, out var direction))
        {
            throw r.Error(O.Direction, $"'{directionCode}': expected D or C");
        }

        var counterparty = new AccountRef { BankId = r.Code(O.ToBank), AccountNumber = r.Text(O.ToAccount), AccountName = r.Text(O.ToName) };
        open.OnwardTransfers.Add(new Transaction
        {
            TransactionId = r.Code(O.TransactionId),
            BookedAt = r.Timestamp(O.BookedDate, O.BookedTime),
            Amount = FixedWidthNotices.ReadMoney(r, O.Currency, O.AmountFen),
            Direction = direction,
            Counterparty = counterparty.BankId.Length + counterparty.AccountNumber.Length
                + counterparty.AccountName.Length == 0 ? null : counterparty,
            Channel = r.Code(O.Channel),
            Memo = r.Text(O.Memo),
        });
    }

    public byte[] Write(IReadOnlyList<RespondRequest> messages)
    {
        var output = new ArrayBufferWriter<byte>((messages.Count + 2) * (L.Layout.Length + 2));
        FixedWidthFormat.WriteHeader(output, 'R', sender, time);
        long total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            total += WriteResult(output, messages[i], $"item {i + 1} ({messages[i].ExchangeId})");
        }

        FixedWidthFormat.WriteTrailer(output, messages.Count, total);
        return output.WrittenSpan.ToArray();
    }

    private static long WriteResult(IBufferWriter<byte> output, RespondRequest answer, string position)
    {
        var w = new RecordWriter(L.Layout, position).Code(L.ExchangeId, answer.ExchangeId);
        var result = answer.Result ?? new Result();
        if (answer.RejectionReason.Length > 0)
        {
            // A refusal does not say which kind of notice it refuses; SP is written and ignored on reading.
            w.Code(L.Kind, result.KindCase == Result.KindOneofCase.None ? "SP" : KindCode(result.KindCase, position))
                .Code(L.Status, RefusedCode).Text(L.Reason, answer.RejectionReason, freeText: true).WriteTo(output);
            return 0;
        }

        w.Code(L.Kind, KindCode(result.KindCase, position));
        if (result.KindCase == Result.KindOneofCase.FreezeRelease)
        {
            var release = result.FreezeRelease;
            WriteStatusRecord(w, ReleaseCodes, release.Status, release.Reason, release.ReleasedAt, release.AmountReleased, output, position);
            return release.AmountReleased?.MinorUnits ?? 0;
        }

        if (result.KindCase == Result.KindOneofCase.FundReturn)
        {
            var returned = result.FundReturn;
            WriteStatusRecord(w, ReturnCodes, returned.Status, returned.Reason, returned.ReturnedAt, returned.AmountReturned, output, position);
            if (returned.TransferReference.Length > 0)
            {
                new RecordWriter(V.Layout, position + ", its V record").Code(V.ExchangeId, answer.ExchangeId)
                    .Code(V.TransferReference, returned.TransferReference).WriteTo(output);
            }

            return returned.AmountReturned?.MinorUnits ?? 0;
        }

        var hold = result.KindCase == Result.KindOneofCase.StopPayment ? result.StopPayment : result.Freeze;
        if (!HoldCodes.TryCode(hold.Status, out var status))
        {
            throw new TranslationException(FixedWidthFormat.Name, position, L.Status.Label, $"{hold.Status} has no code");
        }

        w.Code(L.Status, status).Text(L.Reason, hold.Reason, freeText: true)
            .Timestamp(L.ExecutedDate, L.ExecutedTime, hold.ExecutedAt)
            .Timestamp(L.ExpiresDate, L.ExpiresTime, hold.HoldExpiresAt)
            .Digits(L.OnwardCount, hold.OnwardTransfers.Count);
        WriteMoney(w, hold.AmountHeld);
        if (hold.BalanceAfter is { } balance)
        {
            if (hold.AmountHeld is { } held && held.Currency != balance.Currency)
            {
                throw new TranslationException(FixedWidthFormat.Name, position, L.BalanceFen.Label,
                    $"the balance is in {balance.Currency} and the amount held in {held.Currency}; the layout has one currency column");
            }

            w.Code(L.Currency, balance.Currency).Code(L.BalanceSign, balance.MinorUnits < 0 ? "-" : "+").Digits(L.BalanceFen,
                Math.Abs(balance.MinorUnits));
        }

        w.WriteTo(output);
        for (var i = 0; i < hold.OnwardTransfers.Count; i++)
        {
            var t = hold.OnwardTransfers[i];
            if (!Directions.TryCode(t.Direction, out var direction))
            {
                throw new TranslationException(FixedWidthFormat.Name, $"{position}, onward transfer {i + 1}", O.Direction.Label,
                    $"{t.Direction} has no code");
            }

            var o = new RecordWriter(O.Layout, $"{position}, onward transfer {i + 1}")
                .Code(O.ExchangeId, answer.ExchangeId)
                .Digits(O.Sequence, i + 1)
                .Code(O.TransactionId, t.TransactionId)
                .Timestamp(O.BookedDate, O.BookedTime, t.BookedAt)
                .Code(O.Direction, direction)
                .Code(O.Channel, t.Channel)
                .Text(O.Memo, t.Memo, freeText: true);
            if (t.Amount is not null)
            {
                o.Code(O.Currency, t.Amount.Currency).Digits(O.AmountFen, t.Amount.MinorUnits);
            }

            if (t.Counterparty is not null)
            {
                o.Code(O.ToBank, t.Counterparty.BankId).Text(O.ToAccount, t.Counterparty.AccountNumber).Text(O.ToName,
                    t.Counterparty.AccountName);
            }

            o.WriteTo(output);
        }

        return hold.AmountHeld?.MinorUnits ?? 0;
    }

    /// <summary>An R record that is a status, a reason, a time and an amount (a release, a return), written out.</summary>
    private static void WriteStatusRecord<TStatus>(RecordWriter w, CodeTable<TStatus> codes, TStatus status, string reason,
        Google.Protobuf.WellKnownTypes.Timestamp? at, Money? amount, IBufferWriter<byte> output, string position)
        where TStatus : struct, Enum
    {
        if (!codes.TryCode(status, out var code))
        {
            throw new TranslationException(FixedWidthFormat.Name, position, L.Status.Label, $"{status} has no code");
        }

        w.Code(L.Status, code).Text(L.Reason, reason, freeText: true).Timestamp(L.ExecutedDate, L.ExecutedTime, at);
        WriteMoney(w, amount);
        w.WriteTo(output);
    }

    private static void WriteMoney(RecordWriter w, Money? money)
    {
        if (money is not null)
        {
            w.Code(L.Currency, money.Currency).Digits(L.AmountFen, money.MinorUnits);
        }
    }

    private static string KindCode(Result.KindOneofCase kind, string position) => kind switch
    {
        Result.KindOneofCase.StopPayment => "SP",
        Result.KindOneofCase.Freeze => "FZ",
        Result.KindOneofCase.FreezeRelease => "FR",
        Result.KindOneofCase.FundReturn => "RT",
        _ => throw new TranslationException(FixedWidthFormat.Name, position, "result",
            $"the fixed-width layout carries stop-payment, freeze, freeze-release and fund-return results, not {kind}"),
    };

    internal static string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"hold: {HoldCodes.Codes}; release: {ReleaseCodes.Codes}; return: {ReturnCodes.Codes}; refusal: {RefusedCode}");
}
