using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using Google.Protobuf.WellKnownTypes;

namespace AntiFraud.Exchange.Hub.Tests.Alerts;

/// <summary>Signals as banks and carriers would raise them.</summary>
public static class AlertSignals
{
    public static PotentialVictim Victim(string phone = "+8613800138000", string division = "440304001", string? nationalId = null,
        string? account = null) => new()
    {
        Person = new Person
        {
            Name = "陈阿姨",
            NationalId = nationalId ?? string.Empty,
            Phone = new PhoneNumber { E164 = phone },
            Address = "深圳市福田区沙头街道 8 号",
        },
        DivisionCode = division,
        Account = account is null ? null : new AccountRef { AccountNumber = account, AccountName = "陈阿姨" },
    };

    public static RaiseAlertRequest Calls(PotentialVictim victim, Priority suggested = Priority.High, bool international = false,
        string? key = null) => new()
    {
        IdempotencyKey = key ?? Requests.NewKey(),
        Victim = victim,
        Signal = new AlertSignal
        {
            SuggestedTier = suggested,
            SuspiciousCalls = new SuspiciousCallsSignal
            {
                Kind = CommunicationKind.VoiceCall,
                SuspectNumber = new PhoneNumber { E164 = "+85230001234" },
                Gateway = "GW-HK-07",
                International = international,
                Count = 3,
                TotalDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(42)),
                LongestDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(31)),
                SpoofingSuspected = true,
            },
            Note = "caller claims to be a police officer",
        },
    };

    public static RaiseAlertRequest PausedTransfer(PotentialVictim victim, long fen = 50_000_00, string payeeBank = "bank-beta",
        Priority suggested = Priority.Medium, bool paused = true, string? key = null) => new()
    {
        IdempotencyKey = key ?? Requests.NewKey(),
        Victim = victim,
        Signal = new AlertSignal
        {
            SuggestedTier = suggested,
            BankTransfer = new BankTransferSignal
            {
                Amount = new Money { Currency = "CNY", MinorUnits = fen },
                Payee = new AccountRef { BankId = payeeBank, AccountNumber = "6222990000007777", AccountName = "王五" },
                Channel = "MOBILE",
                Paused = paused,
                TransactionId = "TX-" + Requests.NewKey(),
            },
            Note = "customer insisted on a 'safe account'",
        },
    };
}
