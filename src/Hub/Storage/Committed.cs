using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>The committed result of a change: the record as stored and its events with their sequence numbers.</summary>
public sealed record Committed(ExchangeRecord Record, IReadOnlyList<WatchEvent> Events);
