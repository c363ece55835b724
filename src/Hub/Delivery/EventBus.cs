using System.Collections.Concurrent;
using System.Threading.Channels;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Delivery;

/// <summary>
/// Live notice of committed watch events to open Watch streams, indexed by exchange and by case so a
/// publish touches only the streams that follow it. A stream treats each notice as a wake-up and reads
/// the store after its last sequence, so events reach it in order and none is missed, whenever and in
/// whatever order they were published (events from other replicas arrive without their snapshots).
/// </summary>
internal sealed class EventBus
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _byKey = new(StringComparer.Ordinal);

    public Subscription Subscribe(WatchTarget target)
    {
        var key = Key(target);
        var subscription = new Subscription(this, key);
        _byKey.GetOrAdd(key, _ => new ConcurrentDictionary<Subscription, byte>()).TryAdd(subscription, 0);
        return subscription;
    }

    /// <summary>Raised for every local publish, so other replicas can be told (see RedisReplicaLink).</summary>
    public event Action<string, IReadOnlyList<WatchEvent>>? Published;

    public void Publish(string submitter, IReadOnlyList<WatchEvent> events)
    {
        PublishLocal(submitter, events);
        if (events.Count > 0)
        {
            Published?.Invoke(submitter, events);
        }
    }

    /// <summary>Delivers to this process's streams only (events another replica committed).</summary>
    public void PublishLocal(string submitter, IReadOnlyList<WatchEvent> events)
    {
        foreach (var e in events)
        {
            Deliver("x\n" + e.ExchangeId, e);
            Deliver("c\n" + submitter + "\n" + e.CaseNumber, e);
        }
    }

    private void Deliver(string key, WatchEvent e)
    {
        if (_byKey.TryGetValue(key, out var subscriptions))
        {
            foreach (var subscription in subscriptions.Keys)
            {
                subscription.Notify(e);
            }
        }
    }

    private static string Key(WatchTarget target) =>
        target.ExchangeId is not null ? "x\n" + target.ExchangeId : "c\n" + target.Submitter + "\n" + target.CaseNumber;

    private void Remove(Subscription subscription)
    {
        if (_byKey.TryGetValue(subscription.Key, out var set))
        {
            set.TryRemove(subscription, out _);
            if (set.IsEmpty)
            {
                _byKey.TryRemove(new KeyValuePair<string, ConcurrentDictionary<Subscription, byte>>(subscription.Key, set));
            }
        }
    }

    public sealed class Subscription : IDisposable
    {
        private readonly EventBus _bus;
        // One pending wake-up is enough: the stream re-reads the store from its last sequence when it wakes,
        // so a stream that never reads holds one notice, however busy its case is.
        private readonly Channel<WatchEvent> _channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(1)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });

        internal Subscription(EventBus bus, string key)
        {
            _bus = bus;
            Key = key;
        }

        private long _highest;

        internal string Key { get; }

        public ChannelReader<WatchEvent> Reader => _channel.Reader;

        /// <summary>The highest event sequence notified so far, whatever order notices came in.</summary>
        public ulong Highest => (ulong)Interlocked.Read(ref _highest);

        internal void Notify(WatchEvent e)
        {
            var sequence = (long)e.Sequence;
            for (var seen = Interlocked.Read(ref _highest); sequence > seen; seen = Interlocked.Read(ref _highest))
            {
                if (Interlocked.CompareExchange(ref _highest, sequence, seen) == seen)
                {
                    break;
                }
            }

            _channel.Writer.TryWrite(e);
        }

        public void Dispose()
        {
            _bus.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
