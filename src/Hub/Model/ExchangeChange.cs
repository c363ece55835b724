using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Model;

/// <summary>A change to one exchange: the new record and the events it produced (sequence numbers are assigned on commit).</summary>
public sealed record ExchangeChange(ExchangeRecord Updated, IReadOnlyList<WatchEvent> Events);
