using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>The body an audit entry commits to, with its salt: kept sealed so the commitment can be opened later. It is kept under
/// its exchange's id (or an alert's), so the retention purge erases it with the record.</summary>
public sealed record CommittedBody(long Index, string? ExchangeId, byte[] Salt, string BodyType, byte[] Body);

/// <summary>
/// Evidence beside the audit log: the committed bodies of its entries (so a party or an approved auditor can open a commitment) and
/// break-glass disclosures. Both are sealed like every stored value.
/// </summary>
public interface IEvidenceStore
{
    Task SaveBodiesAsync(string origin, IReadOnlyList<CommittedBody> bodies, CancellationToken cancellationToken);

    Task<CommittedBody?> GetBodyAsync(string origin, long index, CancellationToken cancellationToken);

    /// <summary>The indexes of the entries of one exchange whose bodies are kept in this log, in log order.</summary>
    Task<IReadOnlyList<long>> BodiesOfAsync(string origin, string exchangeId, CancellationToken cancellationToken);

    Task<Disclosure?> GetDisclosureAsync(string disclosureId, CancellationToken cancellationToken);

    Task PutDisclosureAsync(Disclosure disclosure, CancellationToken cancellationToken);

    /// <summary>The newest disclosures first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<Disclosure>> ListDisclosuresAsync(int max, CancellationToken cancellationToken);
}
