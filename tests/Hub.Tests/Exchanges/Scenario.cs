using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Clients;
using Grpc.Net.Client;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Tests.Exchanges;

/// <summary>Partners connected to a test hub over mTLS, each with its typed clients.</summary>
public sealed class Partner(HubFixture hub, string id, string? certPath = null, string? keyPath = null) : IDisposable
{
    private readonly GrpcChannel _channel = certPath is null ? hub.Channel(id) : hub.Channel(certPath, keyPath!);

    public string Id { get; } = id;

    public ExchangeClient Exchange => new(_channel);

    public InboxClient Inbox => new(_channel);

    public AlertsClient Alerts => new(_channel);

    public RiskListsClient Lists => new(_channel);

    public OperationsClient Operations => new(_channel);

    public AuditClient Audit => new(_channel);

    public GrpcChannel Channel => _channel;

    public void Dispose() => _channel.Dispose();
}

/// <summary>Requests as a police centre would fill them in.</summary>
public static class Requests
{
    private static int _counter;

    public static string NewKey() => "key-" + Interlocked.Increment(ref _counter) + "-" + Guid.NewGuid().ToString("N")[..6];

    public static CaseRef Case(string number = "SZ-2026-0001", bool follow = false, bool confidential = false) => new()
    {
        CaseNumber = number,
        LegalBasis = LegalBasis.CriminalInvestigation,
        LegalReference = "刑诉法 art. 144",
        ApprovingOfficer = "Inspector Wang",
        ApprovedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero)),
        Confidential = confidential,
        FollowTheMoney = follow ? new FollowTheMoney { Enabled = true, MaxDepth = 3, MinAmount = new Money { Currency = "CNY", MinorUnits = 100_00 } } : null,
    };

    public static Person Victim() => new()
    {
        Name = "李小梅",
        NationalId = "440301199001011234",
        Phone = new PhoneNumber { E164 = "+8613800138000" },
        Address = "深圳市南山区科技园 1 号",
    };

    public static SubmitRequest Freeze(string bank, string account, long fen, Priority priority = Priority.High, CaseRef? caseRef = null, string? key = null) => new()
    {
        IdempotencyKey = key ?? NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
        Priority = priority,
        Case = caseRef ?? Case(),
        Request = new Request
        {
            Freeze = new FreezeNotice
            {
                Account = new AccountRef { BankId = bank, AccountNumber = account, AccountName = "张三" },
                Amount = new Money { Currency = "CNY", MinorUnits = fen },
                Victim = Victim(),
                Reason = "victim transferred savings after a fake police call",
            },
        },
    };

    public static SubmitRequest StopPayment(string bank, string account, long fen, Priority priority = Priority.Critical, CaseRef? caseRef = null) => new()
    {
        IdempotencyKey = NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Bank, Id = bank },
        Priority = priority,
        Case = caseRef ?? Case(),
        Request = new Request
        {
            StopPayment = new StopPaymentNotice
            {
                Account = new AccountRef { BankId = bank, AccountNumber = account },
                Amount = new Money { Currency = "CNY", MinorUnits = fen },
                Victim = Victim(),
            },
        },
    };

    public static SubmitRequest Trace(string carrier, Priority priority = Priority.High, CaseRef? caseRef = null) => new()
    {
        IdempotencyKey = NewKey(),
        Recipient = new PartnerRef { Kind = PartnerKind.Carrier, Id = carrier },
        Priority = priority,
        Case = caseRef ?? Case(),
        Request = new Request
        {
            CallTrace = new CallTraceRequest
            {
                CalledNumber = new PhoneNumber { E164 = "+8613800138000" },
                PresentedNumber = new PhoneNumber { E164 = "+861010110" },
                CallTime = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 21, 7, 30, 0, TimeSpan.Zero)),
                Kind = CommunicationKind.VoiceCall,
            },
        },
    };

    public static Result Executed(long fen, params Transaction[] onward) => new()
    {
        Freeze = Hold(fen, onward),
    };

    public static HoldResult Hold(long fen, params Transaction[] onward)
    {
        var hold = new HoldResult
        {
            Status = HoldStatus.Executed,
            AmountHeld = new Money { Currency = "CNY", MinorUnits = fen },
            ExecutedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        };
        hold.OnwardTransfers.AddRange(onward);
        return hold;
    }

    public static Transaction Onward(string id, string bank, string account, long fen) => new()
    {
        TransactionId = id,
        Direction = TransferDirection.Debit,
        Amount = new Money { Currency = "CNY", MinorUnits = fen },
        Counterparty = new AccountRef { BankId = bank, AccountNumber = account },
        BookedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-20)),
        Channel = "MOBILE",
    };
}
