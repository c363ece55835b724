using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Etsi;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Adapters.Iso20022;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Result = AntiFraud.Exchange.Contract.V1.Result;

namespace AntiFraud.Exchange.Adapters.Tests;

/// <summary>
/// canonical → native → canonical is the identity, for random messages that fill every field each
/// format carries (within its column widths, in whole seconds where the format has no fractions).
/// </summary>
public sealed class RoundTripProperties
{
    private const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789-_./:()";
    private const string Chinese = "张王李赵刘陈杨黄周吴冻结止付账户银行诈骗转账受害人公安局号第条";

    private static Gen<string> Text(int maxBytes) =>
        from length in Gen.Choose(0, maxBytes / 2)
        from chars in Gen.ArrayOf(Gen.Frequency((3, Gen.Elements(Letters.ToCharArray())), (1, Gen.Elements(Chinese.ToCharArray())), (1, Gen.Constant(' '))), length)
        select new string(chars).TrimEnd();

    private static Gen<string> Code(int max) =>
        from length in Gen.Choose(1, max)
        from chars in Gen.ArrayOf(Gen.Elements(Letters.ToCharArray()), length)
        select new string(chars);

    private static Gen<string> OptionalCode(int max) => Gen.Frequency((1, Gen.Constant("")), (3, Code(max)));

    private static readonly Gen<Timestamp> Time =
        from seconds in Gen.Choose(0, int.MaxValue)
        select Timestamp.FromDateTimeOffset(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds));

    private static Gen<T?> Maybe<T>(Gen<T> gen) where T : class => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, gen.Select(v => (T?)v)));

    private static Gen<Money> MoneyIn(string currency) => from minor in Gen.Choose(0, int.MaxValue) select new Money { Currency = currency, MinorUnits = minor * 1000L + 7 };

    private static readonly Gen<string> Currency = Gen.Elements("CNY", "USD", "HKD", "JPY");

    private static readonly Gen<PhoneNumber> Phone = from digits in Gen.Choose(10_000_000, int.MaxValue) select new PhoneNumber { E164 = "+86" + digits };

    private static readonly Gen<CaseRef> Case =
        from number in Code(32)
        from basis in Gen.Elements(LegalBasis.EmergencyStopPayment, LegalBasis.CriminalInvestigation, LegalBasis.PreliminaryCheck, LegalBasis.CourtOrder)
        from reference in Text(40)
        from officer in Text(30)
        from confidential in Gen.Elements(true, false)
        select new CaseRef { CaseNumber = number, LegalBasis = basis, LegalReference = reference, ApprovingOfficer = officer, Confidential = confidential };

    private static Gen<InboxItem> Item(Gen<Request> requests) =>
        from id in Code(40)
        from parent in OptionalCode(40)
        from sender in Code(40)
        from priority in Gen.Elements(Priority.Critical, Priority.High, Priority.Medium, Priority.Low)
        from submitted in Maybe(Time)
        from deadline in Maybe(Time)
        from @case in Case
        from request in requests
        select new InboxItem { ExchangeId = id, ParentExchangeId = parent, From = new PartnerRef { Kind = PartnerKind.Police, Id = sender },
            Priority = priority, SubmittedAt = submitted, Deadline = deadline, Case = @case, Request = request };

    private static readonly Gen<AccountRef> Account =
        from bank in Code(40) from number in Text(34) from name in Text(60)
        select new AccountRef { BankId = bank, AccountNumber = number, AccountName = name };

    private static readonly Gen<Request> Notice =
        from kind in Gen.Choose(0, 3)
        from account in Account
        from currency in Currency
        from amount in MoneyIn(currency)
        from victim in Maybe(from name in Text(30).Where(n => n.Length > 0) from id in Text(32) from phone in Maybe(Phone) select new Person { Name = name, NationalId = id, Phone = phone })
        from transfer in Maybe(from id in Code(40) from at in Maybe(Time) from c in Currency from m in Maybe(MoneyIn(c))
                               from bank in Code(40) from source in Text(34)
                               select new Transaction { TransactionId = id, BookedAt = at, Amount = m, Counterparty = new AccountRef { BankId = bank, AccountNumber = source } })
        from period in Maybe(from s in Gen.Choose(1, 999_999_999) select Duration.FromTimeSpan(TimeSpan.FromSeconds(s)))
        from related in OptionalCode(40)
        from freezeId in Code(40)
        from reason in Text(200)
        from to in Maybe(Account)
        from decision in Text(64)
        select kind switch
        {
            3 => new Request { FundReturn = new FundReturn { HoldExchangeId = freezeId, Account = account, Amount = amount, Victim = victim, VictimAccount = to, DecisionReference = decision, Reason = reason } },
            0 => new Request { StopPayment = new StopPaymentNotice { Account = account, Amount = amount, Victim = victim, ReportedTransfer = transfer, HoldPeriod = period, RenewsExchangeId = related, Reason = reason } },
            1 => new Request { Freeze = new FreezeNotice { Account = account, Amount = amount, Victim = victim, ReportedTransfer = transfer, FreezePeriod = period, Reason = reason } },
            _ => new Request { FreezeRelease = new FreezeRelease { FreezeExchangeId = freezeId, Account = account, Reason = reason } },
        };

    private static readonly Gen<Transaction> Onward =
        from id in OptionalCode(40) from at in Maybe(Time) from c in Currency from m in Maybe(MoneyIn(c))
        from direction in Gen.Elements(TransferDirection.Debit, TransferDirection.Credit)
        from to in Maybe(Account) from channel in OptionalCode(16) from memo in Text(60)
        select new Transaction { TransactionId = id, BookedAt = at, Amount = m, Direction = direction, Counterparty = to, Channel = channel, Memo = memo };

    private static readonly Gen<RespondRequest> HoldAnswer =
        from id in Code(40)
        from kind in Gen.Choose(0, 4)
        from currency in Currency
        from amount in Maybe(MoneyIn(currency))
        from balance in Maybe(from m in MoneyIn(currency) from negative in Gen.Elements(true, false) select negative ? new Money { Currency = currency, MinorUnits = -m.MinorUnits } : m)
        from executed in Maybe(Time) from expires in Maybe(Time)
        from hold in Gen.Elements(HoldStatus.Executed, HoldStatus.Partial, HoldStatus.AccountNotFound, HoldStatus.AccountClosed, HoldStatus.InsufficientBalance, HoldStatus.Rejected)
        from release in Gen.Elements(ReleaseStatus.Released, ReleaseStatus.NotFrozen, ReleaseStatus.Rejected)
        from onward in Gen.ListOf(Onward)
        from reason in Text(200)
        from refusal in Text(200).Where(r => r.Length > 0)
        from returned in Gen.Elements(ReturnStatus.Returned, ReturnStatus.Partial, ReturnStatus.NotHeld, ReturnStatus.Rejected)
        from reference in OptionalCode(40)
        select kind == 4
            ? new RespondRequest { ExchangeId = id, Result = new Result { FundReturn = new FundReturnResult { Status = returned, Reason = reason, ReturnedAt = executed, AmountReturned = amount, TransferReference = reference } } }
            : Hold(id, kind, amount, balance, executed, expires, hold, release, onward, reason, refusal);

    private static RespondRequest Hold(string id, int kind, Money? amount, Money? balance, Timestamp? executed, Timestamp? expires, HoldStatus hold,
        ReleaseStatus release, IEnumerable<Transaction> onward, string reason, string refusal)
    {
        if (kind == 3)
        {
            return new RespondRequest { ExchangeId = id, RejectionReason = refusal };
        }

        if (kind == 2)
        {
            return new RespondRequest { ExchangeId = id, Result = new Result { FreezeRelease = new FreezeReleaseResult { Status = release, Reason = reason, ReleasedAt = executed, AmountReleased = amount } } };
        }

        var result = new HoldResult { Status = hold, Reason = reason, AmountHeld = amount, ExecutedAt = executed, HoldExpiresAt = expires, BalanceAfter = balance };
        result.OnwardTransfers.AddRange(onward);
        return new RespondRequest { ExchangeId = id, Result = kind == 0 ? new Result { StopPayment = result } : new Result { Freeze = result } };
    }

    private static readonly Gen<Request> Query =
        from account in Account.Where(a => a.AccountNumber.Length > 0)
        from holder in Gen.Elements(true, false) from balance in Gen.Elements(true, false) from transactions in Gen.Elements(true, false)
        from start in Maybe(Time) from end in Maybe(Time)
        select new Request { AccountQuery = new AccountQuery { Account = account, IncludeHolder = holder, IncludeBalance = balance, IncludeTransactions = transactions, TransactionsFrom = start, TransactionsTo = end } };

    private static readonly Gen<Transaction> Entry =
        from id in OptionalCode(40) from at in Maybe(Time) from c in Currency from m in Maybe(MoneyIn(c))
        from direction in Gen.Elements(TransferDirection.Debit, TransferDirection.Credit)
        from to in Maybe(Account) from channel in OptionalCode(16) from memo in Text(60) from ip in OptionalCode(15)
        select new Transaction { TransactionId = id, BookedAt = at, Amount = m, Direction = direction, Counterparty = to, Channel = channel, Memo = memo, CounterpartyIp = ip };

    private static readonly Gen<RespondRequest> AccountAnswer =
        from id in Code(40)
        from refused in Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false)))
        from status in Gen.Elements(QueryStatus.Found, QueryStatus.AccountNotFound, QueryStatus.Rejected)
        from reason in Text(100)
        from holder in Maybe(from n in Text(30) from nid in Text(20) from p in Maybe(Phone) from a in Text(60) select new Person { Name = n, NationalId = nid, Phone = p, Address = a })
        from c in Currency from balance in Maybe(MoneyIn(c))
        from state in Gen.Elements(AccountState.Unspecified, AccountState.Active, AccountState.Frozen, AccountState.Closed, AccountState.Dormant)
        from opened in Maybe(Time)
        from entries in Gen.ListOf(Entry)
        select refused
            ? new RespondRequest { ExchangeId = id, RejectionReason = "refused " + reason }
            : AccountResult(id, status, reason, holder, balance, state, opened, entries);

    private static RespondRequest AccountResult(string id, QueryStatus status, string reason, Person? holder, Money? balance, AccountState state, Timestamp? opened, IEnumerable<Transaction> entries)
    {
        var result = new AccountQueryResult { Status = status, Reason = reason, Holder = holder, Balance = balance, AccountState = state, OpenedAt = opened };
        result.Transactions.AddRange(entries);
        return new RespondRequest { ExchangeId = id, Result = new Result { AccountQuery = result } };
    }

    private static readonly Gen<Request> Trace =
        from called in Maybe(Phone) from presented in Maybe(Phone) from at in Maybe(Time)
        from window in Maybe(from s in Gen.Choose(1, 86_400) select Duration.FromTimeSpan(TimeSpan.FromSeconds(s)))
        from kind in Gen.Elements(CommunicationKind.Unspecified, CommunicationKind.VoiceCall, CommunicationKind.Sms)
        select new Request { CallTrace = new CallTraceRequest { CalledNumber = called, PresentedNumber = presented, CallTime = at, Window = window, Kind = kind } };

    private static readonly Gen<CallHop> Hop =
        from sequence in Gen.Choose(0, 1000)
        from network in Text(30) from gateway in OptionalCode(20) from trunk in OptionalCode(20) from country in Gen.Elements("", "CN", "KH", "MM")
        from spoofed in Gen.Elements(true, false)
        from location in Text(20) from imsi in OptionalCode(15) from imei in OptionalCode(15) from ip in OptionalCode(15)
        from presented in Maybe(Phone) from original in Maybe(Phone) from seen in Maybe(Time)
        select new CallHop { Sequence = (uint)sequence, Network = network, Gateway = gateway, Trunk = trunk, CountryOfEntry = country, CallerIdSpoofed = spoofed,
            LocationArea = location, Imsi = imsi, Imei = imei, IpAddress = ip, PresentedNumber = presented, OriginalNumber = original, SeenAt = seen };

    private static readonly Gen<RespondRequest> TraceAnswer =
        from id in Code(40)
        from refused in Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false)))
        from status in Gen.Elements(TraceStatus.Found, TraceStatus.Partial, TraceStatus.NotFound, TraceStatus.Rejected)
        from reason in Text(100)
        from hops in Gen.ListOf(Hop)
        select refused
            ? new RespondRequest { ExchangeId = id, RejectionReason = "refused " + reason }
            : TraceResult(id, status, reason, hops);

    private static RespondRequest TraceResult(string id, TraceStatus status, string reason, IEnumerable<CallHop> hops)
    {
        var result = new CallTraceResult { Status = status, Reason = reason };
        result.Hops.AddRange(hops);
        // The CSV format derives the result's flag from its legs; the generated results agree with it.
        result.CallerIdSpoofed = result.Hops.Any(h => h.CallerIdSpoofed);
        return new RespondRequest { ExchangeId = id, Result = new Result { CallTrace = result } };
    }

    private static void RoundTrip<T>(Gen<T[]> messages, INativeTranslator<T> translator)
        where T : IMessage<T> =>
        Prop.ForAll(messages.ToArbitrary(), batch =>
        {
            var back = translator.Read(translator.Write(batch));
            return back.SequenceEqual(batch);
        }).QuickCheckThrowOnFailure();

    private static Gen<T[]> Batch<T>(Gen<T> one) => Gen.ArrayOf(one).Where(a => a.Length > 0);

    private static Gen<T[]> Single<T>(Gen<T> one) => one.Select(m => new[] { m });

    [Fact]
    public void FixedWidthNotices_RoundTrip() => RoundTrip(Batch(Item(Notice)), new FixedWidthNotices(TimeProvider.System));

    [Fact]
    public void FixedWidthResults_RoundTrip() =>
        RoundTrip(Batch(HoldAnswer).Select(a => a.DistinctBy(x => x.ExchangeId).ToArray()), new FixedWidthResults(TimeProvider.System, "bank-beta"));

    [Fact]
    public void Auth001_RoundTrip() => RoundTrip(Single(Item(Query)), new Auth001Queries());

    [Fact]
    public void Auth002_RoundTrip() => RoundTrip(Single(AccountAnswer), new Auth002Answers());

    [Fact]
    public void EtsiRequests_RoundTrip() => RoundTrip(Single(Item(Trace)), new EtsiTraceRequests("CN"));

    [Fact]
    public void EtsiAnswers_RoundTrip() => RoundTrip(Single(TraceAnswer), new EtsiTraceAnswers("CN", "carrier-east"));

    [Fact]
    public void CdrCsv_RoundTrip() => RoundTrip(Batch(TraceAnswer).Select(a => a.DistinctBy(x => x.ExchangeId).ToArray()), new CdrCsvAnswers());

    [Fact]
    public void Json_RoundTrip() => RoundTrip(Batch(Gen.OneOf(Item(Notice), Item(Query), Item(Trace))), new CanonicalJson<InboxItem>(InboxItem.Descriptor));
}
