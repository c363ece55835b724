using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>What a watcher follows: one exchange, or every exchange of one police centre's case.</summary>
public readonly record struct WatchTarget(string? ExchangeId, string? Submitter, string? CaseNumber)
{
    public static WatchTarget Exchange(string id) => new(id, null, null);

    public static WatchTarget Case(string submitter, string caseNumber) => new(null, submitter, caseNumber);

    public bool Matches(WatchEvent e, string submitter) =>
        ExchangeId is not null
            ? e.ExchangeId == ExchangeId
            : e.CaseNumber == CaseNumber && submitter == Submitter;
}
