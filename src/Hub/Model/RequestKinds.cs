using System.Collections.Frozen;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Model;

/// <summary>
/// The names request kinds go by in the operator's files (deadline policy, masking policy, duty rosters) and in notices: the
/// request's field name in the contract (stop_payment, freeze, fund_return ...). One table, read and written alike.
/// </summary>
internal static class RequestKinds
{
    private static readonly FrozenDictionary<string, Request.KindOneofCase> ByName = Request.Descriptor.Oneofs[0].Fields
        .ToFrozenDictionary(f => f.Name, f => (Request.KindOneofCase)f.FieldNumber, StringComparer.Ordinal);

    private static readonly FrozenDictionary<Request.KindOneofCase, string> ByKind = ByName.ToFrozenDictionary(p => p.Value, p => p.Key);

    /// <summary>"stop_payment" for a stop-payment; "" for none.</summary>
    public static string Name(Request.KindOneofCase kind) => ByKind.GetValueOrDefault(kind, string.Empty);

    public static bool TryParse(string name, out Request.KindOneofCase kind) => ByName.TryGetValue(name, out kind);
}
