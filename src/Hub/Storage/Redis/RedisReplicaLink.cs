using System.Globalization;
using System.Text;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using Google.Protobuf;
using StackExchange.Redis;

namespace AntiFraud.Exchange.Hub.Storage.Redis;

/// <summary>
/// Keeps the in-process parts of several replicas in step through Redis pub/sub: new inbox work and
/// completions (so a bank connected to any replica is woken at once, not by polling), the sequence
/// numbers of committed watch events (so a police Watch on one replica wakes and reads the transitions
/// made on another), and deadline tracking
/// (every replica arms the timers; the store lets each escalation fire once). Messages only wake and
/// inform: the state itself is in Redis. After a lost connection the queues and timers are reloaded
/// from the store, since messages sent meanwhile are gone.
/// </summary>
internal sealed class RedisReplicaLink(
    RedisConnection redis,
    IExchangeStore store,
    EventBus bus,
    InboxBroker broker,
    DeadlineTracker deadlines,
    string replicaId,
    ILogger<RedisReplicaLink> logger) : IHostedService
{
    // Messages carry this process's own nonce, so a replica ignores only its own echoes, even if two share an id.
    private readonly string _instance = Guid.NewGuid().ToString("N");

    private string Channel => redis.Prefix + "replicas";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.Subscriber.SubscribeAsync(Channel, (_, message) => Receive(message)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        // Watch streams only wake on an event and then read the store, so the other replicas need where it
        // belongs and its sequence, not the event with its snapshot.
        bus.Published += (submitter, events) => Send('E', [submitter, .. events.Select(e =>
            Convert.ToBase64String(new WatchEvent { Sequence = e.Sequence, ExchangeId = e.ExchangeId, CaseNumber = e.CaseNumber }.ToByteArray()))]);
        broker.Enqueued += item => Send('Q', [item.ExchangeId, item.Recipient, ((int)item.Priority).ToString(CultureInfo.InvariantCulture),
            item.QueueOrder.ToString(CultureInfo.InvariantCulture), item.Attempts.ToString(CultureInfo.InvariantCulture)]);
        broker.Completed += (recipient, id) => Send('D', [recipient, id]);
        deadlines.Tracked += id => Send('T', [id]);
        redis.Restored += () => _ = ResynchroniseAsync();
        ReplicaLog.Joined(logger, replicaId, Channel);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Send(char kind, string[] fields)
    {
        var message = _instance + "\n" + kind + "\n" + string.Join('\n', fields);
        // Fire and forget: a lost message only delays a wake-up; the store holds the state.
        _ = redis.Subscriber.PublishAsync(Channel, message, CommandFlags.FireAndForget);
    }

    private void Receive(RedisValue message)
    {
        var parts = ((string)message!).Split('\n');
        if (parts.Length < 3 || parts[0] == _instance)
        {
            return;
        }

        try
        {
            switch (parts[1])
            {
                case "E":
                    bus.PublishLocal(parts[2], [.. parts.Skip(3).Select(b => WatchEvent.Parser.ParseFrom(Convert.FromBase64String(b)))]);
                    break;
                case "Q":
                    broker.Restore(new PendingDelivery(parts[2], parts[3], (Priority)int.Parse(parts[4], CultureInfo.InvariantCulture),
                        long.Parse(parts[5], CultureInfo.InvariantCulture), uint.Parse(parts[6], CultureInfo.InvariantCulture)));
                    break;
                case "D":
                    broker.CompleteLocal(parts[2], parts[3]);
                    break;
                case "T":
                    _ = TrackAsync(parts[2]);
                    break;
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or Google.Protobuf.InvalidProtocolBufferException)
        {
            ReplicaLog.BadMessage(logger, parts[0], e);
        }
    }

    private async Task TrackAsync(string exchangeId)
    {
        try
        {
            if (await store.GetAsync(exchangeId, CancellationToken.None) is { } record)
            {
                deadlines.TrackLocal(record);
            }
        }
        catch (StoreUnavailableException)
        {
            // Re-armed from the store when the connection is back.
        }
    }

    private async Task ResynchroniseAsync()
    {
        try
        {
            var pending = await Exchanges.ExchangeStartup.RestoreAsync(store, broker, CancellationToken.None);
            var open = await deadlines.RearmAsync(CancellationToken.None);
            ReplicaLog.Resynchronised(logger, pending.Count, open);
        }
        catch (StoreUnavailableException e)
        {
            ReplicaLog.ResyncFailed(logger, e);
        }
    }
}

internal static partial class ReplicaLog
{
    [LoggerMessage(260, LogLevel.Information, "Replica {ReplicaId} joined the replica channel {Channel}")]
    public static partial void Joined(ILogger logger, string replicaId, string channel);

    [LoggerMessage(261, LogLevel.Warning, "Ignored a malformed message from replica {ReplicaId}")]
    public static partial void BadMessage(ILogger logger, string replicaId, Exception exception);

    [LoggerMessage(262, LogLevel.Information, "Resynchronised from Redis: {Pending} unacknowledged items queued, {Open} exchanges tracked")]
    public static partial void Resynchronised(ILogger logger, int pending, int open);

    [LoggerMessage(263, LogLevel.Error, "Resynchronising from Redis failed; it is tried again on the next reconnection")]
    public static partial void ResyncFailed(ILogger logger, Exception exception);
}
