using System.Threading.Channels;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Delivery;

/// <summary>
/// A background service that acts on exchanges after events this replica committed (an expiry, a missed deadline): it queues the
/// snapshot of each event it <see cref="Wants"/> and handles them one at a time, off the committing thread.
/// </summary>
internal abstract class PublishedEvents(EventBus bus) : BackgroundService
{
    private readonly Channel<ExchangeRecord> _queue = Channel.CreateUnbounded<ExchangeRecord>(new UnboundedChannelOptions { SingleReader = true });

    protected EventBus Bus { get; } = bus;

    /// <summary>The snapshots of the wanted events, in the order they were published.</summary>
    protected ChannelReader<ExchangeRecord> Queued => _queue.Reader;

    protected abstract bool Wants(WatchEvent e);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        Bus.Published += OnPublished;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        Bus.Published -= OnPublished;
        return base.StopAsync(cancellationToken);
    }

    private void OnPublished(string submitter, IReadOnlyList<WatchEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Snapshot is not null && Wants(e))
            {
                _queue.Writer.TryWrite(e.Snapshot);
            }
        }
    }
}
