using System.Diagnostics;
using System.Globalization;
using AntiFraud.Exchange.Adapters.Csv;
using AntiFraud.Exchange.Adapters.Etsi;
using AntiFraud.Exchange.Adapters.FixedWidth;
using AntiFraud.Exchange.Adapters.Iso20022;
using AntiFraud.Exchange.Adapters.Json;
using AntiFraud.Exchange.Adapters.Translation;
using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Benchmarks;

/// <summary>
/// Translation throughput per format, read (native → canonical) and write (canonical → native), in MB of
/// native text and records per second, single thread. `adapters [SECONDS]`.
/// </summary>
internal static class AdapterThroughput
{
    private static readonly Timestamp At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 9, 30, 0, TimeSpan.FromHours(8)));

    public static void Run(int seconds)
    {
        var time = TimeProvider.System;
        Console.WriteLine($"| format | direction | records per document | MB/s | records/s |");
        Console.WriteLine("|---|---|---:|---:|---:|");
        Measure("fixed-width notices", new FixedWidthNotices(time), [.. Enumerable.Range(0, 10_000).Select(Notice)], seconds);
        Measure("fixed-width results (+2 O records)", new FixedWidthResults(time, "bank-beta"), [.. Enumerable.Range(0, 10_000).Select(HoldAnswer)], seconds);
        Measure("CSV call records (3 legs)", new CdrCsvAnswers(), [.. Enumerable.Range(0, 10_000).Select(TraceAnswer)], seconds);
        Measure("ISO 20022 auth.002 (50 entries)", new Auth002Answers(), [AccountAnswer()], seconds);
        Measure("ETSI 102 657 response (3 legs)", new EtsiTraceAnswers("CN", "carrier-east"), [TraceAnswer(0)], seconds);
        Measure("canonical JSON inbox items", new CanonicalJson<InboxItem>(InboxItem.Descriptor), [.. Enumerable.Range(0, 1_000).Select(Notice)], seconds);
    }

    private static void Measure<T>(string name, INativeTranslator<T> translator, T[] messages, int seconds)
        where T : IMessage<T>
    {
        var document = translator.Write(messages);
        var records = messages.Length;
        Report(name, "read", records, document.Length, seconds, () => translator.Read(document));
        Report(name, "write", records, document.Length, seconds, () => translator.Write(messages));
    }

    private static void Report(string name, string direction, int records, int bytes, int seconds, Action action)
    {
        action();
        long iterations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            action();
            iterations++;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {direction} | {records:N0} | {bytes * (double)iterations / elapsed / 1e6:F1} | {records * (double)iterations / elapsed:N0} |"));
    }

    private static InboxItem Notice(int i) => new()
    {
        ExchangeId = $"ex-019a8f3c2b7d7e41a5c3d2e1{i:D8}",
        From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" },
        Priority = Priority.Critical,
        SubmittedAt = At,
        Deadline = At,
        Case = new CaseRef { CaseNumber = "SZ-2026-110-004217", LegalBasis = LegalBasis.EmergencyStopPayment, LegalReference = "刑诉法第144条", ApprovingOfficer = "王建国", Confidential = true },
        Request = new Request
        {
            StopPayment = new StopPaymentNotice
            {
                Account = new AccountRef { BankId = "bank-beta", AccountNumber = "6217002870012345678", AccountName = "李四" },
                Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 + i },
                Victim = new Person { Name = "张三", NationalId = "440301********1234", Phone = new PhoneNumber { E164 = "+86138****8000" } },
                ReportedTransfer = new Transaction { TransactionId = "ALPHA20261122090512000417", BookedAt = At, Amount = new Money { Currency = "CNY", MinorUnits = 4_980_000 } },
                Reason = "受害人报案：冒充客服诈骗",
            },
        },
    };

    private static Transaction Transfer(int i) => new()
    {
        TransactionId = $"BETA2026112209073300{i:D2}", BookedAt = At, Amount = new Money { Currency = "CNY", MinorUnits = 3_000_000 + i },
        Direction = TransferDirection.Debit, Channel = "MOBILE", Memo = "货款",
        Counterparty = new AccountRef { BankId = "bank-alpha", AccountNumber = "6222021100998877665", AccountName = "赵六" },
    };

    private static RespondRequest HoldAnswer(int i)
    {
        var hold = new HoldResult { Status = HoldStatus.Partial, AmountHeld = new Money { Currency = "CNY", MinorUnits = 1_250_000 }, ExecutedAt = At, HoldExpiresAt = At, Reason = "余额不足" };
        hold.OnwardTransfers.Add(Transfer(1));
        hold.OnwardTransfers.Add(Transfer(2));
        return new RespondRequest { ExchangeId = $"ex-019a8f3c2b7d7e41a5c3d2e1{i:D8}", Result = new Result { StopPayment = hold } };
    }

    private static RespondRequest TraceAnswer(int i)
    {
        var trace = new CallTraceResult { Status = TraceStatus.Found, CallerIdSpoofed = true };
        for (var hop = 1; hop <= 3; hop++)
        {
            trace.Hops.Add(new CallHop
            {
                // Networks and gateways repeat down a file as in real records; subscriber identities, numbers and times do not.
                Sequence = (uint)hop, Network = "46000", Gateway = "GMSC-GZ-02", Trunk = "IGW-GZ-17", CountryOfEntry = "CN", CallerIdSpoofed = hop == 1,
                LocationArea = "LAC 0x2A1F", PresentedNumber = new PhoneNumber { E164 = "+861095566" },
                OriginalNumber = new PhoneNumber { E164 = $"+8552388{i % 100_000:D5}" },
                Imsi = $"4600012{(i * 3) + hop:D8}", Imei = $"35{(i * 7) + hop:D13}",
                SeenAt = Timestamp.FromDateTimeOffset(At.ToDateTimeOffset().AddSeconds(i)),
            });
        }

        return new RespondRequest { ExchangeId = $"ex-019a8f5b66778899aabbccdd{i:D8}", Result = new Result { CallTrace = trace } };
    }

    private static RespondRequest AccountAnswer()
    {
        var result = new AccountQueryResult { Status = QueryStatus.Found, Holder = new Person { Name = "李四", NationalId = "450102199001011234" }, Balance = new Money { Currency = "CNY", MinorUnits = 0 } };
        result.Transactions.AddRange(Enumerable.Range(0, 50).Select(Transfer));
        return new RespondRequest { ExchangeId = "ex-019a8f4a5566778899aabbccddeeff00", Result = new Result { AccountQuery = result } };
    }
}
