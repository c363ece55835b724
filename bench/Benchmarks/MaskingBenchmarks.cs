using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.TestSupport;
using BenchmarkDotNet.Attributes;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>Masking one account-query result with 50 transactions, as the shipped policy does it.</summary>
[MemoryDiagnoser]
public class MaskingBenchmarks
{
    private MaskingEngine _engine = null!;
    private ExchangeRecord _record = null!;
    private MaskingContext _bank;
    private MaskingContext _auditor;
    private MaskingContext _police;

    [GlobalSetup]
    public void Setup()
    {
        _engine = new MaskingEngine(
            new MaskingPolicy(new ReloadingFile<MaskingRules>(Path.Combine(DevPki.RepoRoot, "config", "masking.json"), "Masking policy",
                MaskingRules.Parse, TimeProvider.System, NullLogger.Instance, TimeSpan.FromDays(1))),
            new PseudonymKeys(new byte[32]));
        var result = new AccountQueryResult
        {
            Status = QueryStatus.Found,
            Holder = new Person { Name = "张三", NationalId = "440301199001011234", Phone = new PhoneNumber { E164 = "+8613800138000" }, Address = "深圳市南山区" },
            Balance = new Money { Currency = "CNY", MinorUnits = 1_234_567 },
        };
        for (var i = 0; i < 50; i++)
        {
            result.Transactions.Add(new Transaction
            {
                TransactionId = "TX" + i,
                BookedAt = Timestamp.FromDateTime(DateTime.UtcNow),
                Amount = new Money { Currency = "CNY", MinorUnits = 1000 + i },
                Direction = TransferDirection.Debit,
                Counterparty = new AccountRef { BankId = "bank-beta", AccountNumber = "621700000000" + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), AccountName = "李四" },
                Channel = "MOBILE",
                Memo = "转账 " + i,
                CounterpartyIp = "203.0.113." + i,
            });
        }

        _record = new ExchangeRecord
        {
            ExchangeId = "ex-bench",
            Case = new CaseRef { CaseNumber = "B-1", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Inspector Wang" },
            Request = new Request { AccountQuery = new AccountQuery { Account = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222000011112222" } } },
            Result = new Result { AccountQuery = result },
        };
        _police = new MaskingContext(new PartnerIdentity(PartnerKind.Police, "police-shenzhen"), LegalBasis.CriminalInvestigation, Request.KindOneofCase.AccountQuery, true);
        _bank = new MaskingContext(new PartnerIdentity(PartnerKind.Bank, "bank-alpha"), LegalBasis.CriminalInvestigation, Request.KindOneofCase.AccountQuery, false);
        _auditor = new MaskingContext(new PartnerIdentity(PartnerKind.Auditor, "auditor-national"), LegalBasis.CriminalInvestigation, Request.KindOneofCase.AccountQuery, false);
    }

    [Benchmark(Baseline = true, Description = "keep (police, own case)")]
    public object Keep() => _engine.Mask(_record, _police).Message;

    [Benchmark(Description = "mask (bank: drop/partial)")]
    public object Bank() => _engine.Mask(_record, _bank).Message;

    [Benchmark(Description = "pseudonymise (auditor)")]
    public object Auditor() => _engine.Mask(_record, _auditor).Message;
}
