using System.Collections.Concurrent;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Delivery;

/// <summary>
/// The inbox queues, one per recipient. Items wait in priority order (CRITICAL first, then by
/// submission). A subscriber stream leases at most its window of items at a time; the next item it
/// gets is always the most urgent one waiting, so critical work overtakes any backlog. An item stays
/// leased until acknowledged or answered; when the stream ends, its unacknowledged items go back to
/// the queue and are delivered again on the next subscription.
/// </summary>
internal sealed class InboxBroker
{
    private readonly ConcurrentDictionary<string, RecipientQueue> _queues = new(StringComparer.Ordinal);

    private RecipientQueue Queue(string recipient) => _queues.GetOrAdd(recipient, _ => new RecipientQueue());

    /// <summary>Raised when this process queues new work, so other replicas can queue it too.</summary>
    public event Action<PendingDelivery>? Enqueued;

    /// <summary>Raised when this process completes an item, so other replicas drop it too.</summary>
    public event Action<string, string>? Completed;

    public void Enqueue(PendingDelivery item)
    {
        Restore(item);
        Enqueued?.Invoke(item);
    }

    /// <summary>Queues an item in this process only: restored from the store, or queued by another replica.</summary>
    public void Restore(PendingDelivery item) => Queue(item.Recipient).Enqueue(item);

    /// <summary>The item is acknowledged, answered or cancelled: it leaves the queue for good.</summary>
    public void Complete(string recipient, string exchangeId)
    {
        CompleteLocal(recipient, exchangeId);
        Completed?.Invoke(recipient, exchangeId);
    }

    public void CompleteLocal(string recipient, string exchangeId) => Queue(recipient).Complete(exchangeId);

    public InboxLease Open(string recipient, int window) => Queue(recipient).Open(window);

    /// <summary>The ids of up to <paramref name="max"/> items waiting or leased for a recipient, most urgent first; nothing is
    /// leased.</summary>
    public IReadOnlyList<string> Peek(string recipient, int max) => Queue(recipient).Peek(max);

    /// <summary>Items waiting or leased for a recipient (for operators and tests).</summary>
    public int Pending(string recipient) => Queue(recipient).Count;

    /// <summary>Items waiting or leased, by recipient and priority rank (1 critical .. 4 low, 99 unspecified); for the operations
    /// metrics. Takes each queue's lock briefly in turn.</summary>
    public IEnumerable<(string Recipient, int Rank, int Count)> Depths()
    {
        foreach (var (recipient, queue) in _queues)
        {
            foreach (var (rank, count) in queue.CountByRank())
            {
                yield return (recipient, rank, count);
            }
        }
    }

    private readonly record struct Key(int Priority, long Order, string Id) : IComparable<Key>
    {
        public int CompareTo(Key other)
        {
            var c = Priority.CompareTo(other.Priority);
            return c != 0 ? c : Order.CompareTo(other.Order);
        }
    }

    private sealed class RecipientQueue
    {
        private readonly Lock _gate = new();
        private readonly SortedSet<Key> _available = [];
        private readonly Dictionary<string, Key> _keys = new(StringComparer.Ordinal);
        private readonly Dictionary<string, InboxLease> _leased = new(StringComparer.Ordinal);
        private readonly Dictionary<string, uint> _attempts = new(StringComparer.Ordinal);
        private readonly List<InboxLease> _streams = [];

        public List<(int Rank, int Count)> CountByRank()
        {
            lock (_gate)
            {
                return [.. _keys.Values.GroupBy(k => k.Priority).Select(g => (g.Key, g.Count()))];
            }
        }

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _keys.Count;
                }
            }
        }

        public IReadOnlyList<string> Peek(int max)
        {
            lock (_gate)
            {
                return [.. _keys.Values.Order().Take(max).Select(k => k.Id)];
            }
        }

        public void Enqueue(PendingDelivery item)
        {
            InboxLease[] wake;
            lock (_gate)
            {
                if (_keys.ContainsKey(item.ExchangeId))
                {
                    return;
                }

                var key = new Key(PriorityRank(item.Priority), item.QueueOrder, item.ExchangeId);
                _keys[item.ExchangeId] = key;
                _attempts[item.ExchangeId] = item.Attempts;
                _available.Add(key);
                wake = [.. _streams];
            }

            foreach (var stream in wake)
            {
                stream.Signal();
            }
        }

        public void Complete(string id)
        {
            InboxLease? owner;
            lock (_gate)
            {
                if (!_keys.Remove(id, out var key))
                {
                    return;
                }

                _attempts.Remove(id);
                _available.Remove(key);
                if (_leased.Remove(id, out owner))
                {
                    owner.InFlight--;
                }
            }

            owner?.Signal();
        }

        public InboxLease Open(int window)
        {
            var lease = new InboxLease(this, window);
            lock (_gate)
            {
                _streams.Add(lease);
            }

            return lease;
        }

        /// <summary>Leases the most urgent waiting item; the attempt number counts every lease of it.</summary>
        public bool TryTake(InboxLease lease, out string id, out uint attempt)
        {
            lock (_gate)
            {
                if (lease.InFlight < lease.Window && _available.Count > 0)
                {
                    var key = _available.Min;
                    _available.Remove(key);
                    _leased[key.Id] = lease;
                    lease.InFlight++;
                    id = key.Id;
                    attempt = _attempts[key.Id] = _attempts.GetValueOrDefault(key.Id) + 1;
                    return true;
                }
            }

            id = string.Empty;
            attempt = 0;
            return false;
        }

        /// <summary>A delivered item turned out not deliverable (already answered elsewhere): forget it.</summary>
        public void Drop(InboxLease lease, string id)
        {
            lock (_gate)
            {
                if (_leased.Remove(id))
                {
                    lease.InFlight--;
                    _keys.Remove(id);
                    _attempts.Remove(id);
                }
            }
        }

        public void Close(InboxLease lease)
        {
            InboxLease[] wake;
            lock (_gate)
            {
                _streams.Remove(lease);
                foreach (var (id, owner) in _leased.ToList())
                {
                    if (owner == lease)
                    {
                        _leased.Remove(id);
                        _available.Add(_keys[id]);
                    }
                }

                wake = [.. _streams];
            }

            foreach (var stream in wake)
            {
                stream.Signal();
            }
        }

        private static int PriorityRank(Priority priority) => priority == Priority.Unspecified ? 99 : (int)priority;
    }

    /// <summary>One subscriber stream's view of its recipient queue.</summary>
    public sealed class InboxLease : IDisposable
    {
        private readonly RecipientQueue _queue;
        private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal InboxLease(object queue, int window)
        {
            _queue = (RecipientQueue)queue;
            Window = window;
        }

        public int Window { get; }

        internal int InFlight { get; set; }

        /// <summary>The most urgent item waiting, once this stream has room in its window, and which delivery of it this is.</summary>
        public async Task<(string Id, uint Attempt)> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                // Arm a fresh signal before looking, so a wake-up between the look and the wait is not lost.
                var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _signal, signal);
                if (_queue.TryTake(this, out var id, out var attempt))
                {
                    return (id, attempt);
                }

                await signal.Task.WaitAsync(cancellationToken);
            }
        }

        /// <summary>The next item if one is waiting and the window has room, without waiting.</summary>
        public bool TryNext(out (string Id, uint Attempt) next)
        {
            var taken = _queue.TryTake(this, out var id, out var attempt);
            next = (id, attempt);
            return taken;
        }

        public void Drop(string id) => _queue.Drop(this, id);

        internal void Signal() => Volatile.Read(ref _signal).TrySetResult();

        public void Dispose() => _queue.Close(this);
    }
}
