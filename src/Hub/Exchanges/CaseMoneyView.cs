using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Model;

namespace AntiFraud.Exchange.Hub.Exchanges;

/// <summary>
/// A case's money from the answers of its exchanges: the reported loss, what was stopped, frozen, returned and released, the
/// recovery rate, and the onward transfers that left the hub's network. Also what one hold still has to return from.
/// </summary>
internal static class CaseMoneyView
{
    private const string Currency = "CNY";

    public static HoldResult? HoldOf(ExchangeRecord record) => record.Result?.KindCase switch
    {
        Result.KindOneofCase.StopPayment => record.Result.StopPayment,
        Result.KindOneofCase.Freeze => record.Result.Freeze,
        _ => null,
    };

    /// <summary>What an answered stop-payment or freeze held (executed or partial, a positive amount); null when it held nothing.</summary>
    public static Money? Held(ExchangeRecord record) =>
        record.State == ExchangeState.Answered && HoldOf(record) is { Status: HoldStatus.Executed or HoldStatus.Partial, AmountHeld.MinorUnits: > 0 } hold
            ? hold.AmountHeld
            : null;

    /// <summary>Minor units the case's fund returns of one hold have paid (answered) or may still pay (open: what they ask).</summary>
    public static long CommittedReturns(IEnumerable<ExchangeRecord> caseRecords, string holdExchangeId) => caseRecords
        .Where(r => r.Request?.KindCase == Request.KindOneofCase.FundReturn && r.Request.FundReturn.HoldExchangeId == holdExchangeId)
        .Sum(r => ExchangeStates.IsRunning(r.State) ? r.Request.FundReturn.Amount.MinorUnits : Returned(r));

    private static long Returned(ExchangeRecord record) =>
        record.State == ExchangeState.Answered && record.Result?.FundReturn is { Status: ReturnStatus.Returned or ReturnStatus.Partial } result
            ? result.AmountReturned?.MinorUnits ?? 0
            : 0;

    public static CaseMoney Of(IReadOnlyList<ExchangeRecord> records, PartnerRegistry registry)
    {
        long stopped = 0, frozen = 0, returned = 0, released = 0;
        var trail = new List<TrailExit>();
        foreach (var record in records)
        {
            switch (record.Request?.KindCase)
            {
                case Request.KindOneofCase.StopPayment or Request.KindOneofCase.Freeze:
                    if (Held(record) is { Currency: Currency } held)
                    {
                        if (record.Request.KindCase == Request.KindOneofCase.StopPayment)
                        {
                            stopped += held.MinorUnits;
                        }
                        else
                        {
                            frozen += held.MinorUnits;
                        }
                    }

                    foreach (var transfer in HoldOf(record)?.OnwardTransfers ?? [])
                    {
                        if (transfer.Direction != TransferDirection.Credit && !IsPartnerBank(registry, transfer.Counterparty?.BankId))
                        {
                            trail.Add(new TrailExit { ExchangeId = record.ExchangeId, Transfer = transfer });
                        }
                    }

                    break;
                case Request.KindOneofCase.FundReturn:
                    returned += Returned(record);
                    break;
                case Request.KindOneofCase.FreezeRelease when record.State == ExchangeState.Answered
                    && record.Result?.FreezeRelease is { Status: ReleaseStatus.Released } release:
                    released += release.AmountReleased?.MinorUnits ?? 0;
                    break;
            }
        }

        var loss = ReportedLoss(records);
        return new CaseMoney
        {
            ReportedLoss = Cny(loss),
            Stopped = Cny(stopped),
            Frozen = Cny(frozen),
            Returned = Cny(returned),
            Released = Cny(released),
            RecoveryRate = loss > 0 ? Math.Min(1.0, (double)returned / loss) : 0,
            TrailLeftNetwork = { trail },
        };
    }

    /// <summary>The largest loss the police stated on the case; without one, the victims' reported transfers of the case's
    /// police-issued holds, each transfer (by id, else by its amount and time) once.</summary>
    private static long ReportedLoss(IReadOnlyList<ExchangeRecord> records)
    {
        var stated = records.Select(r => r.Case?.ReportedLoss).Where(m => m is { Currency: Currency }).Select(m => m!.MinorUnits)
            .DefaultIfEmpty(0).Max();
        if (stated > 0)
        {
            return stated;
        }

        return records.Where(r => r.FollowDepth == 0)
            .Select(r => r.Request?.KindCase switch
            {
                Request.KindOneofCase.StopPayment => r.Request.StopPayment.ReportedTransfer,
                Request.KindOneofCase.Freeze => r.Request.Freeze.ReportedTransfer,
                _ => null,
            })
            .Where(t => t?.Amount is { Currency: Currency, MinorUnits: > 0 })
            .DistinctBy(t => t!.TransactionId.Length > 0 ? t.TransactionId : $"{t.Amount.MinorUnits}@{t.BookedAt}")
            .Sum(t => t!.Amount.MinorUnits);
    }

    private static bool IsPartnerBank(PartnerRegistry registry, string? bankId) =>
        bankId is { Length: > 0 } id && registry.TryGet(id, out var partner) && partner.Kind == PartnerKind.Bank;

    private static Money Cny(long minorUnits) => new() { Currency = Currency, MinorUnits = minorUnits };
}
