using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>A bulk order as stored: who sent it, its header, how many items are uploaded and the results so far.</summary>
public sealed record BulkOrderState(string OrderId, string Owner, BulkOrderHeader Header, uint Received, BulkOutcomeCounts Counts)
{
    public uint Total => Header.Order.TotalItems;

    public string Recipient => Header.Recipient.Id;

    /// <summary>Every item is stored (the order's exchange exists, or is being opened).</summary>
    public bool Uploaded => Received == Total;
}

/// <summary>What a chunk of results changed.</summary>
public sealed record BulkRecorded(int Recorded, int Repeated, BulkOutcomeCounts Counts);

/// <summary>
/// Bulk orders beside the exchanges (the same SQLite file, or the same Redis): the header, the items in order and
/// each item's result. Everything is read and written a chunk at a time, so no call holds a whole order.
/// </summary>
public interface IBulkStore
{
    /// <summary>Opens an order under the owner's idempotency key, or returns the order opened earlier with it (Duplicate).
    /// Refused (RESOURCE_EXHAUSTED) when the owner already has <paramref name="maxIncomplete"/> uploads unfinished.</summary>
    Task<(BulkOrderState Order, bool Duplicate)> OpenAsync(string orderId, string owner, BulkOrderHeader header, int maxIncomplete,
        CancellationToken cancellationToken);

    Task<BulkOrderState?> GetAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>Appends the next items: they must be numbered consecutively from the stored count + 1 (items at or below it were
    /// stored before and are skipped). Returns the new count.</summary>
    Task<uint> AppendAsync(string orderId, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken);

    /// <summary>Items after a number, in order.</summary>
    Task<IReadOnlyList<BulkItem>> ReadItemsAsync(string orderId, uint afterItem, int max, CancellationToken cancellationToken);

    /// <summary>Records results; an item that already has one keeps it (counted as repeated).</summary>
    Task<BulkRecorded> RecordAsync(string orderId, IReadOnlyList<BulkItemResult> results, CancellationToken cancellationToken);

    /// <summary>Items after a number with their results (null where there is none yet), in order.</summary>
    Task<IReadOnlyList<(BulkItem Item, BulkItemResult? Result)>> ReadResultsAsync(string orderId, uint afterItem, int max,
        CancellationToken cancellationToken);

    /// <summary>The first items without a result, in order.</summary>
    Task<IReadOnlyList<BulkItem>> UnansweredAsync(string orderId, int max, CancellationToken cancellationToken);
}
