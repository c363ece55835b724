using System.Collections.Frozen;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Protocol.Contract;

namespace AntiFraud.Exchange.Hub.Identity;

/// <summary>
/// Which kinds of partner may call which RPC. Resource rules (a bank answers only its own exchanges,
/// a police centre reads only its own cases) are enforced by the handlers, which know the resource.
/// Methods not listed (health, reflection) are open to every authenticated partner.
/// </summary>
internal static class AccessPolicy
{
    private static readonly FrozenDictionary<string, PartnerKind[]> ByMethod = new Dictionary<string, PartnerKind[]>
    {
        [ExchangeMethods.Submit.FullName] = [PartnerKind.Police],
        [ExchangeMethods.Get.FullName] = [PartnerKind.Police],
        [ExchangeMethods.Cancel.FullName] = [PartnerKind.Police],
        [ExchangeMethods.GetCase.FullName] = [PartnerKind.Police],
        [ExchangeMethods.Watch.FullName] = [PartnerKind.Police],
        [InboxMethods.Subscribe.FullName] = [PartnerKind.Bank, PartnerKind.Carrier],
        [InboxMethods.Ack.FullName] = [PartnerKind.Bank, PartnerKind.Carrier],
        [InboxMethods.Respond.FullName] = [PartnerKind.Bank, PartnerKind.Carrier],
        // Anyone holding a receipt may check it against the log.
        [AuditMethods.GetCheckpoint.FullName] = [PartnerKind.Police, PartnerKind.Bank, PartnerKind.Carrier, PartnerKind.Auditor],
        [AuditMethods.GetInclusionProof.FullName] = [PartnerKind.Police, PartnerKind.Bank, PartnerKind.Carrier, PartnerKind.Auditor],
        [AuditMethods.GetConsistencyProof.FullName] = [PartnerKind.Police, PartnerKind.Bank, PartnerKind.Carrier, PartnerKind.Auditor],
        [AuditMethods.Query.FullName] = [PartnerKind.Auditor],
        [AuditMethods.Export.FullName] = [PartnerKind.Auditor],
        [OperationsMethods.GetCompliance.FullName] = [PartnerKind.Police, PartnerKind.Auditor],
        [OperationsMethods.ListPartners.FullName] = [PartnerKind.Police, PartnerKind.Auditor],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool Allows(string method, PartnerKind kind) =>
        !ByMethod.TryGetValue(method, out var kinds) || Array.IndexOf(kinds, kind) >= 0;

    public static string Describe(string method) =>
        ByMethod.TryGetValue(method, out var kinds) ? string.Join(", ", kinds.Select(PartnerIdentity.KindName)) : "any partner";
}
