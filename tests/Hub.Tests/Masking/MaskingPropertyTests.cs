using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Masking;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Result = AntiFraud.Exchange.Contract.V1.Result;

namespace AntiFraud.Exchange.Hub.Tests.Masking;

/// <summary>
/// For random messages, no value that the policy does not keep for a recipient ever appears in the
/// clear in what that recipient receives, at any depth: nested messages, repeated fields, oneofs.
/// </summary>
public sealed class MaskingPropertyTests
{
    private static readonly MaskingEngine Engine = MaskingTestBed.Engine();

    private static readonly Gen<string> Value =
        from length in Gen.Choose(10, 24)
        from chars in Gen.ArrayOf(Gen.Elements("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789甲乙丙丁戊己庚辛".ToCharArray()), length)
        select new string(chars);

    private static Gen<AccountRef> Account => from n in Value from name in Value select new AccountRef { BankId = "bank-beta", AccountNumber = n, AccountName = name };

    private static Gen<Transaction> Transfer =>
        from id in Value from account in Account from memo in Value from ip in Value
        select new Transaction { TransactionId = id, Counterparty = account, Memo = memo, CounterpartyIp = ip, Amount = new Money { Currency = "CNY", MinorUnits = 1 } };

    private static Gen<ExchangeRecord> Records =>
        from kind in Gen.Elements(0, 1, 2)
        from victimName in Value from nationalId in Value from phone in Value from address in Value
        from account in Account
        from transfers in Gen.ListOf(Transfer)
        from hops in Gen.ListOf(from imsi in Value from imei in Value from loc in Value from ip in Value from presented in Value
                                select new CallHop { Imsi = imsi, Imei = imei, LocationArea = loc, IpAddress = ip, PresentedNumber = new PhoneNumber { E164 = presented } })
        from officer in Value
        select Build(kind, new Person { Name = victimName, NationalId = nationalId, Phone = new PhoneNumber { E164 = phone }, Address = address }, account, transfers, hops, officer);

    private static ExchangeRecord Build(int kind, Person victim, AccountRef account, IEnumerable<Transaction> transfers, IEnumerable<CallHop> hops, string officer)
    {
        var record = new ExchangeRecord { ExchangeId = "ex-p", Case = new CaseRef { CaseNumber = "P-1", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = officer } };
        switch (kind)
        {
            case 0:
                record.Request = new Request { Freeze = new FreezeNotice { Account = account, Victim = victim } };
                var hold = new HoldResult { Status = HoldStatus.Executed };
                hold.OnwardTransfers.AddRange(transfers);
                record.Result = new Result { Freeze = hold };
                break;
            case 1:
                record.Request = new Request { AccountQuery = new AccountQuery { Account = account } };
                var query = new AccountQueryResult { Status = QueryStatus.Found, Holder = victim };
                query.Transactions.AddRange(transfers);
                record.Result = new Result { AccountQuery = query };
                break;
            default:
                record.Request = new Request { CallTrace = new CallTraceRequest { CalledNumber = victim.Phone } };
                var trace = new CallTraceResult { Status = TraceStatus.Found };
                trace.Hops.AddRange(hops);
                record.Result = new Result { CallTrace = trace };
                break;
        }

        return record;
    }

    /// <summary>Every value of every sensitive field, with the transform the engine reported for its path.</summary>
    private static IEnumerable<(string Path, string Value)> SensitiveValues(IMessage message, string prefix = "")
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var path = prefix.Length == 0 ? field.Name : prefix + "." + field.Name;
            var value = field.Accessor.GetValue(message);
            if (field.FieldType == Google.Protobuf.Reflection.FieldType.String && MaskingEngine.DataClassOf(field) is not (DataClass.NonSensitive or DataClass.Unspecified))
            {
                var values = field.IsRepeated ? ((System.Collections.IList)value).Cast<string>() : [(string)value];
                foreach (var v in values.Where(v => v.Length > 0))
                {
                    yield return (path, v);
                }
            }
            else if (field.FieldType == Google.Protobuf.Reflection.FieldType.Message)
            {
                var children = field.IsRepeated ? ((System.Collections.IList)value).Cast<IMessage>() : value is IMessage m ? [m] : [];
                foreach (var child in children)
                {
                    foreach (var inner in SensitiveValues(child, path))
                    {
                        yield return inner;
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(PartnerKind.Bank, false)]
    [InlineData(PartnerKind.Carrier, false)]
    [InlineData(PartnerKind.Auditor, false)]
    [InlineData(PartnerKind.Police, false)]
    public void NoValueThePolicyDoesNotKeep_AppearsInTheClear(PartnerKind recipient, bool submitter)
    {
        Prop.ForAll(Records.ToArbitrary(), record =>
        {
            var context = MaskingTestBed.For(recipient, recipient.ToString().ToLowerInvariant() + "-x", record.Case.LegalBasis, record.Request.KindCase, submitter);
            var masked = Engine.Mask(record, context);
            var kept = masked.Decisions.Where(d => d.Transform == MaskTransform.Keep).Select(d => d.FieldPath).ToHashSet();
            var output = masked.Message.ToByteString().ToStringUtf8() + JsonFormatter.Default.Format(masked.Message);
            foreach (var (path, value) in SensitiveValues(record))
            {
                if (!kept.Contains(path) && output.Contains(value, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }).QuickCheckThrowOnFailure();
    }
}
