using System.Security.Cryptography;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Storage;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>Encryption at rest of one answered freeze record (victim, two onward transfers): what a store write and read add.</summary>
[MemoryDiagnoser]
public class StoreCipherBenchmarks
{
    private StoreCipher _cipher = null!;
    private ExchangeRecord _record = null!;
    private byte[] _sealed = null!;
    private byte[] _plain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _cipher = new StoreCipher(new Dictionary<ushort, byte[]> { [1] = RandomNumberGenerator.GetBytes(32) });
        var hold = new HoldResult { Status = HoldStatus.Executed, AmountHeld = new Money { Currency = "CNY", MinorUnits = 30_000_00 } };
        for (var i = 0; i < 2; i++)
        {
            hold.OnwardTransfers.Add(new Transaction
            {
                TransactionId = "TX" + i,
                BookedAt = Timestamp.FromDateTime(DateTime.UtcNow),
                Amount = new Money { Currency = "CNY", MinorUnits = 10_000_00 },
                Counterparty = new AccountRef { BankId = "bank-beta", AccountNumber = "622277005566778" + i, AccountName = "李四" },
                Channel = "MOBILE",
            });
        }

        _record = new ExchangeRecord
        {
            ExchangeId = "ex-0193a0b1c2d3e4f5a6b7c8d9e0f1a2b3",
            From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
            To = new PartnerRef { Kind = PartnerKind.Bank, Id = "bank-alpha" },
            Case = new CaseRef { CaseNumber = "SZ-2026-0042", LegalBasis = LegalBasis.CriminalInvestigation, ApprovingOfficer = "Wang Jianguo" },
            Request = new Request
            {
                Freeze = new FreezeNotice
                {
                    Account = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222880011223344", AccountName = "张三" },
                    Amount = new Money { Currency = "CNY", MinorUnits = 30_000_00 },
                    Victim = new Person { Name = "李小梅", NationalId = "440301199001011234", Phone = new PhoneNumber { E164 = "+8613800138000" } },
                    Reason = "victim transferred 30,000 yuan after a fake police call",
                },
            },
            Result = new Result { Freeze = hold },
            State = ExchangeState.Answered,
        };
        _plain = _record.ToByteArray();
        _sealed = _cipher.Seal(_record);
    }

    [Benchmark(Baseline = true)]
    public byte[] SerializeOnly() => _record.ToByteArray();

    [Benchmark]
    public byte[] Seal() => _cipher.Seal(_record);

    [Benchmark]
    public ExchangeRecord ParseOnly() => ExchangeRecord.Parser.ParseFrom(_plain);

    [Benchmark]
    public ExchangeRecord Open() => _cipher.Open(ExchangeRecord.Parser, _sealed);
}
