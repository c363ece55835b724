using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>An exchange waiting for its recipient to acknowledge it, in queue order.</summary>
public sealed record PendingDelivery(string ExchangeId, string Recipient, Priority Priority, long QueueOrder, uint Attempts = 0);
