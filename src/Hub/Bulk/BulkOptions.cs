namespace AntiFraud.Exchange.Hub.Bulk;

/// <summary>Section "Hub:Bulk".</summary>
public sealed class HubBulkOptions
{
    /// <summary>Orders a police unit may have open with their upload unfinished: what bounds the store an abandoned upload holds.</summary>
    public int MaxUnfinishedUploads { get; set; } = 5;

    /// <summary>Overdue items named in the progress watchers get (BulkOrders/Get names up to 1,000).</summary>
    public int OverdueItemsNamed { get; set; } = 20;
}
