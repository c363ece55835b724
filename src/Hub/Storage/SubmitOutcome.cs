using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

public sealed record SubmitOutcome(ExchangeRecord Record, bool Duplicate, IReadOnlyList<WatchEvent> Events, long QueueOrder);
