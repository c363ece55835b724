using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Identity;
using AntiFraud.Exchange.Hub.Masking;
using AntiFraud.Exchange.Hub.Tests.Exchanges;
using AntiFraud.Exchange.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Tests.Masking;

/// <summary>The engine with the repository's own config/masking.json, as the hub runs it.</summary>
internal static class MaskingTestBed
{
    public static MaskingEngine Engine(string? policyPath = null) => new(
        new MaskingPolicy(new ReloadingFile<MaskingRules>(policyPath ?? Path.Combine(DevPki.RepoRoot, "config", "masking.json"),
            "Masking policy", MaskingRules.Parse, TimeProvider.System, NullLogger.Instance)),
        new PseudonymKeys(Convert.FromHexString("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")));

    public static MaskingContext For(PartnerKind kind, string id, LegalBasis basis = LegalBasis.CriminalInvestigation,
        Request.KindOneofCase requestKind = Request.KindOneofCase.Freeze, bool submitter = false) =>
        new(new PartnerIdentity(kind, id), basis, requestKind, submitter);

    /// <summary>An inbox item for a freeze with every kind of sensitive field filled in.</summary>
    public static InboxItem FreezeItem()
    {
        var request = Requests.Freeze("bank-alpha", "6222021234567890", 35_000_00);
        request.Request.Freeze.ReportedTransfer = new Transaction
        {
            TransactionId = "TX-1",
            Amount = new Money { Currency = "CNY", MinorUnits = 35_000_00 },
            Counterparty = new AccountRef { BankId = "bank-beta", AccountNumber = "6217009988776655", AccountName = "李小梅" },
            Memo = "转账给安全账户",
            CounterpartyIp = "203.0.113.77",
        };
        return new InboxItem { ExchangeId = "ex-1", From = new PartnerRef { Kind = PartnerKind.Police, Id = "police-shenzhen" }, Case = request.Case, Request = request.Request };
    }
}
