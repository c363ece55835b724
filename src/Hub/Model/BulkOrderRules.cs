using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Shared;

namespace AntiFraud.Exchange.Hub.Model;

/// <summary>The rules every store applies to a bulk order's items and results inside its write.</summary>
internal static class BulkOrderRules
{
    /// <summary>The most items one order holds.</summary>
    public const uint MaxItems = 100_000;

    /// <summary>The most items or results one chunk carries (and one Fetch message holds).</summary>
    public const int ChunkSize = 1000;

    /// <summary>Items arrive in order, without gaps: the next one is <paramref name="received"/> + 1.</summary>
    public static void RequireNext(BulkItem item, uint received)
    {
        if (item.ItemNo != received + 1)
        {
            throw Refusal.InvalidArgument($"items.item_no: {item.ItemNo} is out of order; the hub has items 1 to {received}, so the next is "
                + $"{received + 1} (resume a broken upload from the received count in the last acknowledgement).");
        }
    }

    public static void Count(BulkOutcomeCounts counts, BulkItemOutcome outcome)
    {
        counts.Answered++;
        switch (outcome)
        {
            case BulkItemOutcome.Done:
                counts.Done++;
                break;
            case BulkItemOutcome.NotOurCustomer:
                counts.NotOurCustomer++;
                break;
            case BulkItemOutcome.AlreadyClosed:
                counts.AlreadyClosed++;
                break;
            default:
                counts.Refused++;
                break;
        }
    }
}
