using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Delivery;

/// <summary>Before the hub listens: every exchange not yet acknowledged goes back into its recipient's queue.</summary>
internal sealed class InboxRestore(IExchangeStore store, InboxBroker broker, ILogger<InboxRestore> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pending = await RestoreAsync(store, broker, cancellationToken);
        StartupLog.Restored(logger, pending.Count, pending.Select(p => p.Recipient).Distinct().Count());
    }

    /// <summary>Queues every unacknowledged exchange (at start, and after a lost shared store comes back; queued ones are not queued
    /// twice).</summary>
    public static async Task<IReadOnlyList<PendingDelivery>> RestoreAsync(IExchangeStore store, InboxBroker broker,
        CancellationToken cancellationToken)
    {
        var pending = await store.ListUnacknowledgedAsync(cancellationToken);
        foreach (var item in pending)
        {
            broker.Restore(item);
        }

        return pending;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class StartupLog
{
    [LoggerMessage(410, LogLevel.Information, "Inbox queues restored: {Count} unacknowledged exchanges for {Recipients} recipients")]
    public static partial void Restored(ILogger logger, int count, int recipients);
}
