using System.Globalization;
using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Deadlines;
using AntiFraud.Exchange.Hub.Delivery;
using Google.Protobuf;
using StackExchange.Redis;
using AntiFraud.Exchange.Hub.Shared;
using AntiFraud.Exchange.Hub.Storage.Redis;
using AntiFraud.Exchange.Hub.Storage;

namespace AntiFraud.Exchange.Hub.Replication;

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
    DutyNotices dutyNotices,
    string replicaId,
    TimeProvider time,
    BackgroundFaults faults,
    ILogger<RedisReplicaLink> logger) : IHostedService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);

    // Messages carry this process's own nonce, so a replica ignores only its own echoes, even if two share an id.
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource? _resync;

    private RedisChannel Channel => RedisChannel.Literal(redis.Prefix + "replicas");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await redis.Subscriber.SubscribeAsync(Channel, (_, message) => Receive(message)).WaitAsync(TimeSpan.FromSeconds(10),
            cancellationToken);
        // Watch streams only wake on an event and then read the store, so the other replicas need where it
        // belongs and its sequence, not the event with its snapshot.
        bus.Published += (submitter, events) => Send('E', [submitter, .. events.Select(e =>
            Convert.ToBase64String(new WatchEvent { Sequence = e.Sequence, ExchangeId = e.ExchangeId,
                CaseNumber = e.CaseNumber }.ToByteArray()))]);
        broker.Enqueued += item => Send('Q', [item.ExchangeId, item.Recipient, ((int)item.Priority).ToString(CultureInfo.InvariantCulture),
            item.QueueOrder.ToString(CultureInfo.InvariantCulture), item.Attempts.ToString(CultureInfo.InvariantCulture)]);
        broker.Completed += (recipient, id) => Send('D', [recipient, id]);
        deadlines.Tracked += id => Send('T', [id]);
        dutyNotices.Published += (recipient, notice) => Send('N', [recipient, Convert.ToBase64String(notice.ToByteArray())]);
        redis.Restored += OnRestored;
        ReplicaLog.Joined(logger, replicaId, redis.Prefix + "replicas");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        redis.Restored -= OnRestored;
        await _stopping.CancelAsync();
    }

    /// <summary>Messages sent while the connection was down are gone: resynchronise, superseding a resynchronisation still
    /// retrying.</summary>
    private void OnRestored()
    {
        var next = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        Interlocked.Exchange(ref _resync, next)?.Cancel();
        _ = ResynchroniseAsync(next.Token);
    }

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
                case "N":
                    dutyNotices.PublishLocal(parts[2], DutyNotice.Parser.ParseFrom(Convert.FromBase64String(parts[3])));
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

    /// <summary>After a restore, the passes that follow the first: the client re-subscribes to the replica channel some time after
    /// the connection is back, and a peer's notice sent in between is lost, so the queues are read again a little later.</summary>
    internal static readonly TimeSpan[] FollowUps = [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)];

    /// <summary>
    /// Queues every unacknowledged item and re-arms every timer from Redis, retrying (with back-off up to
    /// 5 s) until it succeeds: a Redis that restarts answers LOADING until its AOF is read, and an item
    /// only this replica's peers knew about must still reach a partner streaming here. Then does it again
    /// after each of <see cref="FollowUps"/> (queueing is idempotent), for what peers queued while this
    /// replica's subscription was still coming back.
    /// </summary>
    internal async Task ResynchroniseAsync(CancellationToken cancellationToken)
    {
        if (!await ResynchroniseOnceAsync(cancellationToken))
        {
            return;
        }

        foreach (var wait in FollowUps)
        {
            try
            {
                await Task.Delay(wait, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (!await ResynchroniseOnceAsync(cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>One pass, retried until it succeeds; false when cancelled first.</summary>
    private async Task<bool> ResynchroniseOnceAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetry;
        for (var attempt = 1; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var pending = await InboxRestore.RestoreAsync(store, broker, cancellationToken);
                var open = await deadlines.RearmAsync(cancellationToken);
                ReplicaLog.Resynchronised(logger, pending.Count, open, attempt);
                return true;
            }
            catch (StoreUnavailableException e)
            {
                ReplicaLog.ResyncFailed(logger, attempt, delay, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                faults.Record(nameof(RedisReplicaLink), e, logger);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = delay * 2 > MaxRetry ? MaxRetry : delay * 2;
        }

        return false;
    }
}

internal static partial class ReplicaLog
{
    [LoggerMessage(260, LogLevel.Information, "Replica {ReplicaId} joined the replica channel {Channel}")]
    public static partial void Joined(ILogger logger, string replicaId, string channel);

    [LoggerMessage(261, LogLevel.Warning, "Ignored a malformed message from replica {ReplicaId}")]
    public static partial void BadMessage(ILogger logger, string replicaId, Exception exception);

    [LoggerMessage(262, LogLevel.Information,
        "Resynchronised from Redis: {Pending} unacknowledged items queued, {Open} exchanges tracked (attempt {Attempt})")]
    public static partial void Resynchronised(ILogger logger, int pending, int open, int attempt);

    [LoggerMessage(263, LogLevel.Warning, "Resynchronising from Redis failed (attempt {Attempt}); trying again in {Delay}: {Reason}")]
    public static partial void ResyncFailed(ILogger logger, int attempt, TimeSpan delay, string reason);
}
