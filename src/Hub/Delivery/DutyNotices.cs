using System.Collections.Concurrent;
using System.Threading.Channels;
using AntiFraud.Exchange.Contract.V1;

namespace AntiFraud.Exchange.Hub.Delivery;

/// <summary>
/// Duty notices on their way to responders' inbox streams that asked for them (SubscribeRequest.duty_notices): a deadline
/// escalation reaches the responder's duty side, not only the submitter. Each stream holds at most 64 notices not yet written
/// (the oldest give way); other replicas are told through <see cref="Published"/>.
/// </summary>
internal sealed class DutyNotices
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<DutyNotice>, byte>> _streams = new(StringComparer.Ordinal);

    /// <summary>Raised for every local publish, so other replicas deliver it to their streams too.</summary>
    public event Action<string, DutyNotice>? Published;

    public void Publish(string recipient, DutyNotice notice)
    {
        PublishLocal(recipient, notice);
        Published?.Invoke(recipient, notice);
    }

    public void PublishLocal(string recipient, DutyNotice notice)
    {
        if (_streams.TryGetValue(recipient, out var streams))
        {
            foreach (var channel in streams.Keys)
            {
                channel.Writer.TryWrite(notice);
            }
        }
    }

    /// <summary>The notices for <paramref name="recipient"/> from now on, until the subscription is disposed.</summary>
    public Subscription Subscribe(string recipient)
    {
        var channel = Channel.CreateBounded<DutyNotice>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        _streams.GetOrAdd(recipient, _ => new ConcurrentDictionary<Channel<DutyNotice>, byte>()).TryAdd(channel, 0);
        return new Subscription(this, recipient, channel);
    }

    public sealed class Subscription(DutyNotices owner, string recipient, Channel<DutyNotice> channel) : IDisposable
    {
        public ChannelReader<DutyNotice> Reader => channel.Reader;

        public void Dispose()
        {
            if (owner._streams.TryGetValue(recipient, out var set))
            {
                set.TryRemove(channel, out _);
            }
        }
    }
}
